//! Reading answers: lists, strings, decimal money, and the error shapes with their rule.

use axum::http::StatusCode;
use serde_json::Value;

use super::{assert_error_shape, T};

/// The `items` of a list answer.
pub fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// A string field, or a panic naming what was there.
pub fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// A decimal amount as micro units.
pub fn micros(v: &Value) -> i64 {
    tollgate_core::money::parse_scaled(v.as_str().unwrap(), 6).unwrap()
}

/// A 422 refusal: its code, its rule (`None`: no rule) and, when given, the field it names.
#[track_caller]
pub fn refused(s: StatusCode, v: &Value, code: &str, rule: Option<&str>, field: Option<&str>) {
    assert_error_shape(v);
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(code), rule),
        "{v}"
    );
    if let Some(f) = field {
        assert!(v["error"]["fields"][f].is_string(), "{f}: {v}");
    }
}

/// A 409 with its code.
#[track_caller]
pub fn conflict(s: StatusCode, v: &Value, code: &str) {
    assert_error_shape(v);
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some(code)),
        "{v}"
    );
}

/// A device model's id by its code.
pub async fn model_id(t: &T, code: &str) -> String {
    let (s, v) = t.get("/v1/hardware/models", "operator").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    text(
        &items(&v)
            .into_iter()
            .find(|m| m["code"] == code)
            .unwrap_or_else(|| panic!("{code}: {v}"))["id"],
    )
}

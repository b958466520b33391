//! The AI video alerts' webhook signature: `X-Tollgate-Signature: t=<unix s>,v1=<hex>`, the
//! HMAC-SHA256 of `<t>.<body>` under the integration's secret: the same scheme Tollgate signs
//! its own webhooks with. The app computes the HMAC; this checks the header's shape and age.

use crate::decision::Refusal;

/// How far a signature's time may be from ours (replays older than this are refused).
pub const MAX_SIGNATURE_SKEW_S: i64 = 300;

/// A parsed signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub t: i64,
    /// The lowercase hex digest, 64 characters.
    pub v1: String,
}

/// Parses the header and checks its time is within [`MAX_SIGNATURE_SKEW_S`] of `now_s`.
pub fn parse(header: Option<&str>, now_s: i64) -> Result<Signature, Refusal> {
    let bad = |code: &'static str, msg: &str| Refusal::invalid(code, "X-Tollgate-Signature", msg);
    let h = header.ok_or_else(|| bad("signature_missing", "the request is not signed"))?;
    let (mut t, mut v1) = (None, None);
    for part in h.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(bad(
            "signature_invalid",
            "expected t=<unix seconds>,v1=<hex>",
        ));
    };
    if v1.len() != 64 || !v1.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("signature_invalid", "v1 is 64 hex digits"));
    }
    if now_s.abs_diff(t) > MAX_SIGNATURE_SKEW_S.unsigned_abs() {
        return Err(bad(
            "signature_expired",
            "the signature's time is more than 5 minutes from ours",
        ));
    }
    Ok(Signature { t, v1 })
}

/// The bytes the signature covers.
pub fn signed_payload(t: i64, body: &[u8]) -> Vec<u8> {
    let mut p = format!("{t}.").into_bytes();
    p.extend_from_slice(body);
    p
}

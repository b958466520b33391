//! Call detail records: validation of what arrives at intake (B4, T12).
//!
//! Each check returns a stable code naming the field, so a refused line can be listed with
//! its line number and fixed at the source. Nothing here decides price: see [`crate::rating`].

use crate::decision::Refusal;
use crate::{e164, text};

/// How far in the future a timestamp may be (clock skew between SBC and Tollgate).
pub const MAX_FUTURE_SKEW_S: i64 = 300;
/// Longest call accepted at intake (24 h); the terms profile caps live calls lower.
pub const MAX_CDR_DURATION_S: i64 = 86_400;
/// Longest `source` or `call_id`.
pub const MAX_ID_CHARS: usize = 256;

/// A CDR as received: every field still text, owned (`String`) or borrowed (`&str`, for
/// the offline rater's zero-copy path).
#[derive(Debug, Clone, Default)]
pub struct RawCdr<S = String> {
    pub source: Option<S>,
    pub call_id: Option<S>,
    pub billing_account: Option<S>,
    pub from: Option<S>,
    pub to: Option<S>,
    pub start: Option<S>,
    pub answer: Option<S>,
    pub end: Option<S>,
    pub duration_s: Option<S>,
    pub disposition: Option<S>,
    pub direction: Option<S>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
    /// An emergency call (T13): recorded for traffic review, never charged; the destination
    /// is the short code dialled (`112`, `15`).
    Emergency,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
            Direction::Emergency => "emergency",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Answered,
    NoAnswer,
    Busy,
    Failed,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Answered => "answered",
            Disposition::NoAnswer => "no_answer",
            Disposition::Busy => "busy",
            Disposition::Failed => "failed",
        }
    }
}

/// A valid CDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cdr {
    pub source: String,
    pub call_id: String,
    pub billing_account: String,
    /// E.164 digits.
    pub from: String,
    pub to: String,
    pub start: i64,
    pub answer: Option<i64>,
    pub end: i64,
    pub duration_s: u32,
    pub disposition: Disposition,
    pub direction: Direction,
}

impl Cdr {
    /// Only answered outbound calls carry a charge.
    pub fn is_billable(&self) -> bool {
        self.direction == Direction::Outbound
            && self.disposition == Disposition::Answered
            && self.duration_s > 0
    }
}

fn opt<S: AsRef<str>>(v: &Option<S>) -> Option<&str> {
    v.as_ref()
        .map(|s| s.as_ref().trim())
        .filter(|s| !s.is_empty())
}

fn required<'a, S: AsRef<str>>(v: &'a Option<S>, field: &'static str) -> Result<&'a str, Refusal> {
    match v.as_ref().map(|s| s.as_ref().trim()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Refusal::invalid(
            "field_missing",
            field,
            format!("`{field}` is required"),
        )),
    }
}

/// Earliest timestamp accepted anywhere (1970-01-01).
pub const MIN_TIMESTAMP: i64 = 0;
/// Latest timestamp accepted anywhere (2200-01-01), so time arithmetic never overflows.
pub const MAX_TIMESTAMP: i64 = 7_258_118_400;

/// Parses RFC 3339 (`2026-01-15T10:00:00Z`) or Unix seconds, between 1970 and 2200.
///
/// A well-formed time outside those bounds (`1969-07-20T20:17:00Z`, `9999-12-31T23:59:59Z`,
/// `99999999999999999999`) is `timestamp_out_of_range`, whether or not it fits the parser's
/// own range; only text that is not a time at all is `timestamp_invalid`.
pub fn parse_time(s: &str, field: &'static str) -> Result<i64, Refusal> {
    let s = s.trim();
    let out_of_range = || {
        Refusal::invalid(
            "timestamp_out_of_range",
            field,
            format!("`{s}` is outside 1970-2200"),
        )
    };
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let t = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<i64>().map_err(|_| out_of_range())?
    } else {
        match s.parse::<jiff::Timestamp>() {
            Ok(t) => t.as_second(),
            // Date, time and offset all there, but beyond what a timestamp can hold.
            Err(_)
                if jiff::fmt::temporal::Pieces::parse(s)
                    .is_ok_and(|p| p.time().is_some() && p.offset().is_some()) =>
            {
                return Err(out_of_range())
            }
            Err(_) => {
                return Err(Refusal::invalid(
                    "timestamp_invalid",
                    field,
                    format!("`{s}` is not an RFC 3339 timestamp or Unix seconds"),
                ))
            }
        }
    };
    if !(MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&t) {
        return Err(out_of_range());
    }
    Ok(t)
}

/// Validates a raw CDR at `now`.
pub fn validate<S: AsRef<str>>(
    raw: &RawCdr<S>,
    default_source: Option<&str>,
    now: i64,
) -> Result<Cdr, Refusal> {
    // A blank default (`?source=`) is no source at all.
    let source = match opt(&raw.source) {
        Some(s) => s,
        None => default_source
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Refusal::invalid("field_missing", "source", "`source` is required"))?,
    };
    let call_id = required(&raw.call_id, "call_id")?;
    for (v, field) in [(source, "source"), (call_id, "call_id")] {
        if v.chars().nth(MAX_ID_CHARS).is_some() {
            return Err(Refusal::invalid(
                "field_too_long",
                field,
                format!("`{field}` is at most {MAX_ID_CHARS} characters"),
            ));
        }
        // NUL and other control characters, bidirectional overrides, invisible-only ids.
        text::check_chars(field, v)?;
    }
    let billing_account = required(&raw.billing_account, "billing_account")?;
    let from = e164::normalize(required(&raw.from, "from")?, "from")?;
    let direction = match opt(&raw.direction).unwrap_or("outbound") {
        "outbound" | "out" => Direction::Outbound,
        "inbound" | "in" => Direction::Inbound,
        "emergency" => Direction::Emergency,
        other => {
            return Err(Refusal::invalid(
                "direction_invalid",
                "direction",
                format!("`{other}` is not outbound, inbound or emergency"),
            ))
        }
    };
    let to = match direction {
        Direction::Emergency => {
            let t = required(&raw.to, "to")?.trim_start_matches('+');
            if !(2..=6).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::invalid(
                    "number_invalid",
                    "to",
                    format!("`{t}` is not an emergency short code"),
                ));
            }
            t.to_string()
        }
        _ => e164::normalize(required(&raw.to, "to")?, "to")?,
    };
    let start = parse_time(required(&raw.start, "start")?, "start")?;
    let end = parse_time(required(&raw.end, "end")?, "end")?;
    let answer = match opt(&raw.answer) {
        Some(a) => Some(parse_time(a, "answer")?),
        None => None,
    };
    for (t, field) in [(start, "start"), (end, "end")] {
        if t > now + MAX_FUTURE_SKEW_S {
            return Err(Refusal::invalid(
                "timestamp_in_future",
                field,
                format!("`{field}` is more than {MAX_FUTURE_SKEW_S} s in the future"),
            ));
        }
    }
    if end < start {
        return Err(Refusal::invalid(
            "end_before_start",
            "end",
            "`end` is before `start`",
        ));
    }
    if answer.is_some_and(|a| a < start || a > end) {
        return Err(Refusal::invalid(
            "answer_outside_call",
            "answer",
            "`answer` must lie between `start` and `end`",
        ));
    }
    let duration = match opt(&raw.duration_s) {
        Some(d) => d.parse::<i64>().map_err(|_| {
            Refusal::invalid(
                "duration_invalid",
                "duration_s",
                format!("`{d}` is not a whole number of seconds"),
            )
        })?,
        None => answer.map_or(0, |a| end - a),
    };
    if duration < 0 {
        return Err(Refusal::invalid(
            "duration_negative",
            "duration_s",
            "`duration_s` is negative",
        ));
    }
    if duration > MAX_CDR_DURATION_S || duration > end - start {
        return Err(Refusal::invalid(
            "duration_inconsistent",
            "duration_s",
            "`duration_s` is longer than the call (end - start) or 24 h",
        ));
    }
    let disposition = match opt(&raw.disposition).unwrap_or(if duration > 0 {
        "answered"
    } else {
        "no_answer"
    }) {
        "answered" | "ANSWERED" => Disposition::Answered,
        "no_answer" | "NO ANSWER" => Disposition::NoAnswer,
        "busy" | "BUSY" => Disposition::Busy,
        "failed" | "FAILED" => Disposition::Failed,
        other => {
            return Err(Refusal::invalid(
                "disposition_invalid",
                "disposition",
                format!("`{other}` is not answered, no_answer, busy or failed"),
            ))
        }
    };
    Ok(Cdr {
        source: source.to_string(),
        call_id: call_id.to_string(),
        billing_account: billing_account.to_string(),
        from,
        to,
        start,
        answer,
        end,
        duration_s: duration as u32,
        disposition,
        direction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawCdr<String> {
        RawCdr {
            source: Some("sbc1".into()),
            call_id: Some("c1".into()),
            billing_account: Some("ba_1".into()),
            from: Some("+442079460000".into()),
            to: Some("+33123456789".into()),
            start: Some("2026-01-15T10:00:00Z".into()),
            answer: Some("2026-01-15T10:00:05Z".into()),
            end: Some("2026-01-15T10:01:05Z".into()),
            duration_s: None,
            disposition: None,
            direction: None,
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn valid_cdr_derives_duration_from_answer() {
        let c = validate(&raw(), None, NOW).unwrap();
        assert_eq!(
            (c.duration_s, c.disposition, c.direction),
            (60, Disposition::Answered, Direction::Outbound)
        );
        assert!(c.is_billable());
    }

    #[test]
    fn each_bad_field_has_its_code() {
        type Mutate = Box<dyn Fn(&mut RawCdr)>;
        let cases: Vec<(Mutate, &str, &str)> = vec![
            (
                Box::new(|r| r.to = Some("12ab".into())),
                "number_invalid",
                "to",
            ),
            (
                Box::new(|r| r.duration_s = Some("-5".into())),
                "duration_negative",
                "duration_s",
            ),
            (
                Box::new(|r| r.end = Some("2026-01-15T09:00:00Z".into())),
                "end_before_start",
                "end",
            ),
            (
                Box::new(|r| r.start = Some("2099-01-01T00:00:00Z".into())),
                "timestamp_in_future",
                "start",
            ),
            (Box::new(|r| r.call_id = None), "field_missing", "call_id"),
            (
                Box::new(|r| r.start = Some("yesterday".into())),
                "timestamp_invalid",
                "start",
            ),
            (
                Box::new(|r| r.start = Some("-9223372036854775808".into())),
                "timestamp_out_of_range",
                "start",
            ),
            (
                Box::new(|r| r.disposition = Some("maybe".into())),
                "disposition_invalid",
                "disposition",
            ),
        ];
        for (mutate, code, field) in cases {
            let mut r = raw();
            mutate(&mut r);
            let e = validate(&r, None, NOW).unwrap_err();
            assert_eq!((e.code, e.field), (code, Some(field)));
        }
    }

    #[test]
    fn i11_13g_a_valid_time_outside_1970_2200_is_out_of_range_not_malformed() {
        for v in [
            "1969-07-20T20:17:00Z",
            "2200-01-01T00:00:01Z",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-12:00",
            "0000-01-01T00:00:00+14:00",
            "-1",
            "99999999999999999999",
        ] {
            let e = parse_time(v, "at").unwrap_err();
            assert_eq!(
                (e.code, e.field),
                ("timestamp_out_of_range", Some("at")),
                "{v}"
            );
        }
        for v in [
            "yesterday",
            "2026-01-15T10:00:00",
            "2026-13-01T00:00:00Z",
            "1e9",
            "",
        ] {
            let e = parse_time(v, "at").unwrap_err();
            assert_eq!(e.code, "timestamp_invalid", "{v}");
        }
        assert_eq!(parse_time("2200-01-01T00:00:00Z", "at"), Ok(MAX_TIMESTAMP));
        assert_eq!(parse_time("1970-01-01T00:00:00Z", "at"), Ok(0));
    }

    #[test]
    fn i11_9_nul_in_call_id_and_an_empty_source_are_refused() {
        let mut r = raw();
        r.call_id = Some("c\0x".into());
        let e = validate(&r, None, NOW).unwrap_err();
        assert_eq!((e.code, e.field), ("text_invalid", Some("call_id")));
        let mut r = raw();
        r.source = Some("sbc\u{202E}1".into());
        let e = validate(&r, None, NOW).unwrap_err();
        assert_eq!((e.code, e.field), ("text_invalid", Some("source")));
        for default in [Some(""), Some("  "), None] {
            let mut r = raw();
            r.source = None;
            let e = validate(&r, default, NOW).unwrap_err();
            assert_eq!((e.code, e.field), ("field_missing", Some("source")));
        }
        let mut r = raw();
        r.source = None;
        assert_eq!(validate(&r, Some("sbc9"), NOW).unwrap().source, "sbc9");
    }
}

//! The one check for names and free text people type (issue 11 #9).
//!
//! Text is trimmed, then refused (`text_invalid`) when it is empty, holds a control character
//! (NUL included), a bidirectional override or isolate (which can make a name read differently
//! from what it is), or nothing but invisible characters; and refused (`text_too_long`) above
//! its named maximum, counted in Unicode scalar values. Every refusal names the field.

use crate::decision::Refusal;

/// Longest name (partner, customer, billing account, user, token, operator).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (a suspension or reactivation reason, an announcement or prefix note).
pub const MAX_FREE_TEXT_CHARS: usize = 2_000;

/// Bidirectional embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing: zero-width spaces and joiners, direction marks, word
/// joiner and invisible operators, the byte-order mark, the soft hyphen, fillers.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

/// Checks the characters of `v` (not its length): no control character, no bidirectional
/// control, and something visible. Used for identifiers as well (CDR `source`, `call_id`).
pub fn check_chars(field: &'static str, v: &str) -> Result<(), Refusal> {
    if let Some(c) = v.chars().find(|c| c.is_control() || is_bidi_control(*c)) {
        return Err(Refusal::invalid(
            "text_invalid",
            field,
            format!(
                "`{field}` contains U+{:04X}: control characters and bidirectional overrides are not allowed",
                u32::from(c)
            ),
        ));
    }
    if v.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(Refusal::invalid(
            "text_invalid",
            field,
            format!("`{field}` must not be empty or only invisible characters"),
        ));
    }
    Ok(())
}

/// Trims `v` and checks it as text of at most `max_chars` characters; returns the trimmed text.
pub fn check_text(field: &'static str, v: &str, max_chars: usize) -> Result<String, Refusal> {
    let t = v.trim();
    // The length first, so a huge text is refused without scanning it twice.
    if t.chars().nth(max_chars).is_some() {
        return Err(Refusal::invalid(
            "text_too_long",
            field,
            format!("`{field}` is longer than {max_chars} characters"),
        ));
    }
    check_chars(field, t)?;
    Ok(t.to_string())
}

/// A name: [`check_text`] with [`MAX_NAME_CHARS`].
pub fn check_name(field: &'static str, v: &str) -> Result<String, Refusal> {
    check_text(field, v, MAX_NAME_CHARS)
}

/// Free text: [`check_text`] with [`MAX_FREE_TEXT_CHARS`].
pub fn check_free_text(field: &'static str, v: &str) -> Result<String, Refusal> {
    check_text(field, v, MAX_FREE_TEXT_CHARS)
}

/// Optional free text: absent or blank is `None`, anything else is [`check_free_text`].
pub fn check_opt_free_text(
    field: &'static str,
    v: Option<&str>,
) -> Result<Option<String>, Refusal> {
    match v.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => check_free_text(field, s).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<String, Refusal>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => {
                assert_eq!(e.field, Some("name"));
                e.code
            }
        }
    }

    #[test]
    fn i11_9_text_is_checked_in_one_place() {
        let cases = [
            ("Acme Dental", "ok"),
            ("  Zoë Müller  ", "ok"),
            ("東京", "ok"),
            ("a\u{200B}b", "ok"),
            ("", "text_invalid"),
            ("   \t ", "text_invalid"),
            ("a\0b", "text_invalid"),
            ("line\nbreak", "text_invalid"),
            ("\u{200B}\u{200C}\u{FEFF}", "text_invalid"),
            (" \u{2060} ", "text_invalid"),
            ("evil\u{202E}txt.exe", "text_invalid"),
            ("\u{2066}x\u{2069}", "text_invalid"),
        ];
        for (v, want) in cases {
            assert_eq!(code(check_name("name", v)), want, "{v:?}");
        }
        assert_eq!(code(check_name("name", &"x".repeat(MAX_NAME_CHARS))), "ok");
        assert_eq!(
            code(check_name("name", &"é".repeat(MAX_NAME_CHARS + 1))),
            "text_too_long"
        );
        assert_eq!(check_name("name", "  Acme ").unwrap(), "Acme");
        assert_eq!(
            check_free_text("reason", &"x".repeat(300_000))
                .unwrap_err()
                .code,
            "text_too_long"
        );
        assert_eq!(check_opt_free_text("note", Some("  ")), Ok(None));
        assert_eq!(check_opt_free_text("note", None), Ok(None));
    }
}

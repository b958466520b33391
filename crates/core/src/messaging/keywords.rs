//! Inbound keywords (M3 decision): case-insensitive, the whole message after trimming.
//! Content is read no further than this and the opt-out instruction check (D1).

/// Opt-out keywords (M3 decision).
pub const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "END",
    "QUIT",
    "CANCEL",
    "REVOKE",
    "OPTOUT",
    "OPT OUT",
    "OPT-OUT",
    "REMOVE",
    "ARRET",
];
/// Opt-in (re-subscribe) keywords.
pub const OPT_IN: &[&str] = &["START", "UNSTOP", "YES"];
/// Help keywords.
pub const HELP: &[&str] = &["HELP", "INFO"];
/// Words of a reply that asks to stop without being a keyword ("please stop texting me"):
/// 47 CFR 64.1200(a)(10) accepts any reasonable means of revocation, so such a reply is
/// flagged for a person to review.
pub const STOP_REQUEST_WORDS: &[&str] = &[
    "STOP",
    "UNSUBSCRIBE",
    "REMOVE",
    "OPT OUT",
    "OPT-OUT",
    "OPTOUT",
    "DON'T TEXT",
    "DONT TEXT",
    "DO NOT TEXT",
    "NO MORE",
    "LEAVE ME ALONE",
    "TAKE ME OFF",
];
/// Phrases that are an opt-out instruction wherever they stand in a body.
pub const INSTRUCTION_PHRASES: &[&str] = &["OPT OUT", "OPT-OUT", "OPTOUT", "UNSUBSCRIBE"];
/// Verbs that, followed within [`INSTRUCTION_REACH`] words by an opt-out keyword, make an
/// instruction ("Reply STOP", "Text STOP to 12345", "Txt END"): a bare "Stop by our store" is
/// none.
pub const INSTRUCTION_VERBS: &[&str] = &[
    "REPLY", "TEXT", "TXT", "SEND", "SMS", "RESPOND", "ENVOYEZ", "REPONDEZ",
];
/// How many words after the verb the keyword may come.
pub const INSTRUCTION_REACH: usize = 3;

/// What an inbound message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
    /// Not a keyword, but asks to stop: flagged for review.
    StopRequest,
    /// Anything else.
    None,
}

impl Keyword {
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::OptOut => "opt_out",
            Keyword::OptIn => "opt_in",
            Keyword::Help => "help",
            Keyword::StopRequest => "stop_request",
            Keyword::None => "none",
        }
    }
}

/// The text upper-cased with runs of white space made one space and trailing punctuation
/// (`STOP.`, `Stop!`) dropped.
fn normal(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(['.', '!', '?'])
        .to_uppercase()
}

/// Classifies an inbound message.
pub fn classify(text: &str) -> Keyword {
    let n = normal(text);
    if OPT_OUT.contains(&n.as_str()) {
        Keyword::OptOut
    } else if OPT_IN.contains(&n.as_str()) {
        Keyword::OptIn
    } else if HELP.contains(&n.as_str()) {
        Keyword::Help
    } else if STOP_REQUEST_WORDS.iter().any(|w| contains_phrase(&n, w)) {
        Keyword::StopRequest
    } else {
        Keyword::None
    }
}

/// Whether a (marketing) body carries an opt-out instruction: one of
/// [`INSTRUCTION_PHRASES`], or one of [`INSTRUCTION_VERBS`] followed closely by an opt-out
/// keyword.
pub fn has_opt_out_instruction(body: &str) -> bool {
    let n = normal(body);
    if INSTRUCTION_PHRASES.iter().any(|w| contains_phrase(&n, w)) {
        return true;
    }
    let words: Vec<&str> = n
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        INSTRUCTION_VERBS.contains(w)
            && words[i + 1..]
                .iter()
                .take(INSTRUCTION_REACH)
                .any(|k| OPT_OUT.contains(k))
    })
}

/// `phrase` occurs in `text` with no letter or digit right before or after it.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let start = from + i;
        let end = start + phrase.len();
        let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        from = start + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

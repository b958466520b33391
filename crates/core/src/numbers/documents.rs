//! Documents and document requests (B11): kinds, types, sizes, deadlines, base64.

use super::*;

/// What happens when a document request's deadline passes (B11: the provider *may*
/// suspend the affected services/DIDs; the partner stays liable either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissPolicy {
    Suspend,
    FlagOnly,
}

impl MissPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MissPolicy::Suspend => "suspend",
            MissPolicy::FlagOnly => "flag_only",
        }
    }

    pub fn parse(s: &str) -> Option<MissPolicy> {
        [MissPolicy::Suspend, MissPolicy::FlagOnly]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// The policy when a request does not say.
pub const DEFAULT_MISS_POLICY: MissPolicy = MissPolicy::Suspend;

/// B11: a document request's deadline must leave time to answer, within bounds.
pub fn check_deadline(deadline: i64, now: i64) -> Result<(), Refusal> {
    if deadline < now + MIN_DOCUMENT_DEADLINE_S || deadline > now + MAX_DOCUMENT_DEADLINE_S {
        return Err(Refusal::invalid(
            "deadline_invalid",
            "deadline",
            format!(
                "must be between {} hour(s) and {} days from now",
                MIN_DOCUMENT_DEADLINE_S / 3600,
                MAX_DOCUMENT_DEADLINE_S / 86_400
            ),
        ));
    }
    Ok(())
}

/// B11: an open request whose deadline passed is missed.
pub fn deadline_missed(open: bool, deadline: i64, now: i64) -> bool {
    open && now > deadline
}

/// Checks a document kind.
pub fn check_document_kind(kind: &str) -> Result<(), Refusal> {
    if DOCUMENT_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Refusal::invalid(
            "document_kind_invalid",
            "kind",
            format!("must be one of {}", DOCUMENT_KINDS.join(", ")),
        ))
    }
}

/// Checks an upload: size, declared type among [`DOCUMENT_TYPES`], content matching it.
pub fn check_document(content_type: &str, bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::invalid(
            "document_empty",
            "content_base64",
            "the document is empty",
        ));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Refusal::invalid(
            "document_too_large",
            "content_base64",
            format!("{} bytes; at most {MAX_DOCUMENT_BYTES} bytes", bytes.len()),
        ));
    }
    let Some((_, magic)) = DOCUMENT_TYPES.iter().find(|(t, _)| *t == content_type) else {
        return Err(Refusal::invalid(
            "document_type_not_allowed",
            "content_type",
            format!(
                "must be one of {}",
                DOCUMENT_TYPES
                    .iter()
                    .map(|(t, _)| *t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    if !bytes.starts_with(magic) {
        return Err(Refusal::invalid(
            "document_content_mismatch",
            "content_base64",
            format!("the content is not a {content_type} file"),
        ));
    }
    Ok(())
}

/// Encodes standard base64 (RFC 4648, padded): the inverse of [`decode_base64`].
pub fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= n {
                out.push(char::from(ALPHABET[((v >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (RFC 4648, padding optional, ASCII whitespace ignored), refusing
/// anything longer than `max` decoded bytes before decoding it.
pub fn decode_base64(s: &str, max: usize, field: &'static str) -> Result<Vec<u8>, Refusal> {
    let bad = |m: &str| Refusal::invalid("base64_invalid", field, m.to_string());
    if s.len() / 4 * 3 > max + 3 {
        return Err(Refusal::invalid(
            "document_too_large",
            field,
            format!("at most {max} bytes"),
        ));
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut pad = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return Err(bad("not base64: unexpected character")),
        };
        if pad > 0 {
            return Err(bad("not base64: data after padding"));
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if pad > 2 || bits >= 6 {
        return Err(bad("not base64: truncated"));
    }
    Ok(out)
}

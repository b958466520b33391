//! The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table: the **one** copy,
//! used to count segments (billing, B8) and to encode for the SMSC (`data_coding` 0).

/// The default alphabet, by septet value.
pub const BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1b}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The escape septet that introduces an extension character.
pub const ESCAPE: u8 = 0x1b;

/// The extension table: `(septet after the escape, character)`.
pub const EXTENSION: [(u8, char); 10] = [
    (0x0a, '\u{0c}'),
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2f, '\\'),
    (0x3c, '['),
    (0x3d, '~'),
    (0x3e, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// A character in the GSM alphabet: one septet, or the escape and one septet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Septets {
    Basic(u8),
    Extended(u8),
}

/// The septets of a character, `None` when the default alphabet cannot carry it.
pub fn encode_char(c: char) -> Option<Septets> {
    if c == '\u{1b}' {
        return None;
    }
    if let Some(i) = BASIC.iter().position(|&b| b == c) {
        return Some(Septets::Basic(i as u8));
    }
    EXTENSION
        .iter()
        .find(|(_, e)| *e == c)
        .map(|(s, _)| Septets::Extended(*s))
}

/// The text as unpacked septets (one per byte, extensions escaped), `None` when a character
/// needs UCS-2.
pub fn encode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match encode_char(c)? {
            Septets::Basic(s) => out.push(s),
            Septets::Extended(s) => out.extend_from_slice(&[ESCAPE, s]),
        }
    }
    Some(out)
}

/// Unpacked septets back to text; an unknown extension reads as a space (TS 23.038 6.2.1.1).
pub fn decode(septets: &[u8]) -> String {
    let mut out = String::with_capacity(septets.len());
    let mut it = septets.iter();
    while let Some(&s) = it.next() {
        if s == ESCAPE {
            let Some(&e) = it.next() else { break };
            out.push(
                EXTENSION
                    .iter()
                    .find(|(x, _)| *x == e)
                    .map_or(' ', |(_, c)| *c),
            );
        } else {
            out.push(BASIC[(s & 0x7f) as usize]);
        }
    }
    out
}

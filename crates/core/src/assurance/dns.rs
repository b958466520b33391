//! A DNS probe (RFC 1035 §4): one A query over UDP and a check of the answer's header.
//!
//! Written by hand on purpose: the probe asks one question and reads twelve bytes of header;
//! a resolver crate is far heavier than that.
//!
//! Query layout: a 12-byte header (ID, flags with RD set, QDCOUNT 1, ANCOUNT/NSCOUNT/ARCOUNT
//! 0), then the question: QNAME as length-prefixed labels ending in a zero byte, QTYPE 1 (A),
//! QCLASS 1 (IN). All integers big-endian.

/// Header length (RFC 1035 §4.1.1).
pub const HEADER_LEN: usize = 12;
/// Flags of the query: standard query, recursion desired.
pub const FLAGS_RD: u16 = 0x0100;
pub const QTYPE_A: u16 = 1;
pub const QCLASS_IN: u16 = 1;
/// RFC 1035 §2.3.4: labels up to 63 octets, names up to 255 octets encoded.
pub const MAX_LABEL: usize = 63;
pub const MAX_ENCODED_NAME: usize = 255;

/// The query datagram for `name`'s A record. A trailing dot is allowed. Errors:
/// `name_invalid` (empty, an empty label or non-ASCII), `label_too_long`, `name_too_long`.
pub fn query(id: u16, name: &str) -> Result<Vec<u8>, &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || !name.is_ascii() {
        return Err("name_invalid");
    }
    let mut qname = Vec::with_capacity(name.len() + 2);
    for label in name.split('.') {
        if label.is_empty() || label.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err("name_invalid");
        }
        if label.len() > MAX_LABEL {
            return Err("label_too_long");
        }
        qname.push(u8::try_from(label.len()).expect("≤ 63"));
        qname.extend_from_slice(label.as_bytes());
    }
    qname.push(0);
    if qname.len() > MAX_ENCODED_NAME {
        return Err("name_too_long");
    }
    let mut out = Vec::with_capacity(HEADER_LEN + qname.len() + 4);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&FLAGS_RD.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // QDCOUNT
    out.extend_from_slice(&[0; 6]); // ANCOUNT, NSCOUNT, ARCOUNT
    out.extend_from_slice(&qname);
    out.extend_from_slice(&QTYPE_A.to_be_bytes());
    out.extend_from_slice(&QCLASS_IN.to_be_bytes());
    Ok(out)
}

/// What the answer's header said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// RCODE: 0 no error, 2 server failure, 3 name error (NXDOMAIN)…
    pub rcode: u8,
    /// ANCOUNT.
    pub answers: u16,
}

/// Reads the answer's header: `short` under 12 bytes, `id_mismatch` for another query's ID,
/// `not_response` without the QR bit.
pub fn parse_answer(id: u16, bytes: &[u8]) -> Result<DnsAnswer, &'static str> {
    if bytes.len() < HEADER_LEN {
        return Err("short");
    }
    if u16::from_be_bytes([bytes[0], bytes[1]]) != id {
        return Err("id_mismatch");
    }
    if bytes[2] & 0x80 == 0 {
        return Err("not_response");
    }
    Ok(DnsAnswer {
        rcode: bytes[3] & 0x0F,
        answers: u16::from_be_bytes([bytes[6], bytes[7]]),
    })
}

/// Up: no error and at least one answer record.
pub fn answer_is_up(a: &DnsAnswer) -> bool {
    a.rcode == 0 && a.answers >= 1
}

//! SMPP 3.4 codec: framing (16-byte header: command_length, command_id, command_status,
//! sequence_number, big-endian u32), the bodies the client sends (`bind_transceiver`,
//! `submit_sm`) and reads (`submit_sm_resp`, `deliver_sm`), and text coding (GSM 03.38
//! default alphabet with its extension table, UCS-2 as UTF-16BE, Latin-1). The GSM 03.38
//! table is the one in `tollgate_core::messaging::gsm7` (also used to count segments).

use tollgate_core::messaging::gsm7::{self, Septets};

use super::{Coding, Inbound, ReceiptState};

/// Length of the PDU header.
pub const HEADER_LEN: usize = 16;
/// Longest PDU accepted from the peer (a longer command_length closes the connection).
pub const MAX_PDU_LEN: usize = 64 * 1024;
/// Longest `short_message`; a longer body goes in the `message_payload` TLV.
pub const MAX_SHORT_MESSAGE: usize = 254;
/// Longest body this client sends (in `message_payload`).
pub const MAX_PAYLOAD: usize = 60_000;
/// Longest `source_addr` / `destination_addr` (21 octets with the terminating NUL).
pub const MAX_ADDR_LEN: usize = 20;
/// SMPP version in `bind_transceiver`.
pub const INTERFACE_VERSION: u8 = 0x34;

/// Command ids.
pub mod cmd {
    pub const GENERIC_NACK: u32 = 0x8000_0000;
    pub const BIND_TRANSCEIVER: u32 = 0x0000_0009;
    pub const BIND_TRANSCEIVER_RESP: u32 = 0x8000_0009;
    pub const SUBMIT_SM: u32 = 0x0000_0004;
    pub const SUBMIT_SM_RESP: u32 = 0x8000_0004;
    pub const DELIVER_SM: u32 = 0x0000_0005;
    pub const DELIVER_SM_RESP: u32 = 0x8000_0005;
    pub const UNBIND: u32 = 0x0000_0006;
    pub const UNBIND_RESP: u32 = 0x8000_0006;
    pub const ENQUIRE_LINK: u32 = 0x0000_0015;
    pub const ENQUIRE_LINK_RESP: u32 = 0x8000_0015;
    /// Set in every response's command id.
    pub const RESP_BIT: u32 = 0x8000_0000;
}

/// Command status values used here.
pub mod status {
    pub const ESME_ROK: u32 = 0x00;
    pub const ESME_RINVMSGLEN: u32 = 0x01;
    pub const ESME_RINVCMDLEN: u32 = 0x02;
    pub const ESME_RINVCMDID: u32 = 0x03;
    pub const ESME_RINVBNDSTS: u32 = 0x04;
    pub const ESME_RSYSERR: u32 = 0x08;
    pub const ESME_RINVSRCADR: u32 = 0x0A;
    pub const ESME_RINVDSTADR: u32 = 0x0B;
    pub const ESME_RBINDFAIL: u32 = 0x0D;
    pub const ESME_RMSGQFUL: u32 = 0x14;
    pub const ESME_RSUBMITFAIL: u32 = 0x45;
    pub const ESME_RTHROTTLED: u32 = 0x58;
    /// ESME receiver temporary app error: the SMSC delivers the `deliver_sm` again later.
    pub const ESME_RX_T_APPN: u32 = 0x64;
}

/// Optional parameter (TLV) tags used here.
pub mod tag {
    pub const RECEIPTED_MESSAGE_ID: u16 = 0x001E;
    pub const MESSAGE_PAYLOAD: u16 = 0x0424;
    pub const MESSAGE_STATE: u16 = 0x0427;
}

/// `esm_class` message type bits (2-5) and the value of an SMSC delivery receipt.
pub const ESM_TYPE_MASK: u8 = 0x3C;
pub const ESM_DELIVERY_RECEIPT: u8 = 0x04;

/// `data_coding` values.
pub const DC_GSM7: u8 = 0x00;
pub const DC_LATIN1: u8 = 0x03;
pub const DC_UCS2: u8 = 0x08;

/// One PDU: header fields and the body after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    pub command_id: u32,
    pub command_status: u32,
    pub sequence: u32,
    pub body: Vec<u8>,
}

/// A header the reader refuses (the connection is closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// command_length below the header length.
    TooShort(u32),
    /// command_length above [`MAX_PDU_LEN`].
    TooLong(u32),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooShort(n) => write!(f, "command_length {n} is shorter than a header"),
            FrameError::TooLong(n) => write!(f, "command_length {n} exceeds {MAX_PDU_LEN}"),
        }
    }
}

/// The first whole PDU in `buf` and the octets it takes, `None` until one has arrived.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Pdu, usize)>, FrameError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = be32(&buf[0..4]);
    if (len as usize) < HEADER_LEN {
        return Err(FrameError::TooShort(len));
    }
    if len as usize > MAX_PDU_LEN {
        return Err(FrameError::TooLong(len));
    }
    let len = len as usize;
    if buf.len() < len {
        return Ok(None);
    }
    let pdu = Pdu {
        command_id: be32(&buf[4..8]),
        command_status: be32(&buf[8..12]),
        sequence: be32(&buf[12..16]),
        body: buf[HEADER_LEN..len].to_vec(),
    };
    Ok(Some((pdu, len)))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// A whole PDU: header then `body`.
pub fn encode(command_id: u32, command_status: u32, sequence: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&((HEADER_LEN + body.len()) as u32).to_be_bytes());
    out.extend_from_slice(&command_id.to_be_bytes());
    out.extend_from_slice(&command_status.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn put_cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

/// `bind_transceiver` body: system_id, password, system_type, interface_version, addr_ton,
/// addr_npi, address_range (empty).
pub fn bind_transceiver_body(system_id: &str, password: &str, system_type: &str) -> Vec<u8> {
    let mut b = Vec::with_capacity(system_id.len() + password.len() + system_type.len() + 7);
    put_cstr(&mut b, system_id);
    put_cstr(&mut b, password);
    put_cstr(&mut b, system_type);
    b.extend_from_slice(&[INTERFACE_VERSION, 0, 0]);
    put_cstr(&mut b, "");
    b
}

/// An address with its type of number and numbering plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub ton: u8,
    pub npi: u8,
    pub addr: String,
}

/// `from`: digits (leading `+` stripped) are TON 1 NPI 1, an alphanumeric sender TON 5 NPI 0,
/// empty TON 0 NPI 0; refused (`ESME_RINVSRCADR`) when too long or not printable ASCII.
pub fn source_addr(from: &str) -> Result<Addr, u32> {
    if from.is_empty() {
        return Ok(Addr {
            ton: 0,
            npi: 0,
            addr: String::new(),
        });
    }
    let digits = from.strip_prefix('+').unwrap_or(from);
    if !digits.is_empty()
        && digits.len() <= MAX_ADDR_LEN
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok(Addr {
            ton: 1,
            npi: 1,
            addr: digits.to_string(),
        });
    }
    if from.len() <= MAX_ADDR_LEN && from.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Ok(Addr {
            ton: 5,
            npi: 0,
            addr: from.to_string(),
        });
    }
    Err(status::ESME_RINVSRCADR)
}

/// `to`: digits (leading `+` stripped), TON 1 NPI 1; anything else `ESME_RINVDSTADR`.
pub fn destination_addr(to: &str) -> Result<Addr, u32> {
    let digits = to.strip_prefix('+').unwrap_or(to);
    if !digits.is_empty()
        && digits.len() <= MAX_ADDR_LEN
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok(Addr {
            ton: 1,
            npi: 1,
            addr: digits.to_string(),
        });
    }
    Err(status::ESME_RINVDSTADR)
}

/// The octets and `data_coding` of `body` in `coding`.
pub fn encode_text(body: &str, coding: Coding) -> (Vec<u8>, u8) {
    match coding {
        Coding::Gsm7 => (gsm7_encode_lossy(body), DC_GSM7),
        Coding::Ucs2 => (ucs2_encode(body), DC_UCS2),
    }
}

/// `submit_sm` body (default esm_class, immediate, default validity); `message` in
/// `short_message` when it fits, else in `message_payload` with sm_length 0. Refused
/// (`ESME_RINVMSGLEN`) above [`MAX_PAYLOAD`].
pub fn submit_sm_body(
    from: &Addr,
    to: &Addr,
    data_coding: u8,
    registered_delivery: bool,
    message: &[u8],
) -> Result<Vec<u8>, u32> {
    if message.len() > MAX_PAYLOAD {
        return Err(status::ESME_RINVMSGLEN);
    }
    let mut b = Vec::with_capacity(from.addr.len() + to.addr.len() + message.len() + 24);
    put_cstr(&mut b, ""); // service_type
    b.extend_from_slice(&[from.ton, from.npi]);
    put_cstr(&mut b, &from.addr);
    b.extend_from_slice(&[to.ton, to.npi]);
    put_cstr(&mut b, &to.addr);
    b.extend_from_slice(&[0, 0, 0]); // esm_class, protocol_id, priority_flag
    put_cstr(&mut b, ""); // schedule_delivery_time
    put_cstr(&mut b, ""); // validity_period
    b.extend_from_slice(&[u8::from(registered_delivery), 0, data_coding, 0]);
    if message.len() <= MAX_SHORT_MESSAGE {
        b.push(message.len() as u8);
        b.extend_from_slice(message);
    } else {
        b.push(0);
        b.extend_from_slice(&tag::MESSAGE_PAYLOAD.to_be_bytes());
        b.extend_from_slice(&(message.len() as u16).to_be_bytes());
        b.extend_from_slice(message);
    }
    Ok(b)
}

/// A reader over a PDU body.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, at: 0 }
    }

    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    /// A C-octet string (up to its NUL, which is consumed).
    fn cstr(&mut self) -> Option<String> {
        let rest = self.b.get(self.at..)?;
        let nul = rest.iter().position(|&c| c == 0)?;
        self.at += nul + 1;
        Some(String::from_utf8_lossy(&rest[..nul]).into_owned())
    }

    /// The TLVs after the mandatory fields; `None` when one is cut short.
    fn tlvs(&mut self) -> Option<Vec<(u16, &'a [u8])>> {
        let mut out = Vec::new();
        while self.at < self.b.len() {
            let t = self.take(2)?;
            let l = self.take(2)?;
            let v = self.take(usize::from(u16::from_be_bytes([l[0], l[1]])))?;
            out.push((u16::from_be_bytes([t[0], t[1]]), v));
        }
        Some(out)
    }
}

/// The message id in a `submit_sm_resp` body (empty when the body is, as after an error).
pub fn submit_sm_resp_id(body: &[u8]) -> String {
    Cursor::new(body).cstr().unwrap_or_default()
}

/// The fields of a `deliver_sm` this client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverSm {
    pub source: Addr,
    pub destination: Addr,
    pub esm_class: u8,
    pub data_coding: u8,
    /// `short_message`, or `message_payload` when that is present.
    pub message: Vec<u8>,
    pub receipted_message_id: Option<String>,
    pub message_state: Option<u8>,
}

/// A `deliver_sm` body, `None` when malformed.
pub fn parse_deliver_sm(body: &[u8]) -> Option<DeliverSm> {
    let mut c = Cursor::new(body);
    c.cstr()?; // service_type
    let (ton, npi) = (c.u8()?, c.u8()?);
    let source = Addr {
        ton,
        npi,
        addr: c.cstr()?,
    };
    let (ton, npi) = (c.u8()?, c.u8()?);
    let destination = Addr {
        ton,
        npi,
        addr: c.cstr()?,
    };
    let esm_class = c.u8()?;
    c.take(2)?; // protocol_id, priority_flag
    c.cstr()?; // schedule_delivery_time
    c.cstr()?; // validity_period
    c.take(2)?; // registered_delivery, replace_if_present_flag
    let data_coding = c.u8()?;
    c.u8()?; // sm_default_msg_id
    let sm_length = usize::from(c.u8()?);
    let mut message = c.take(sm_length)?.to_vec();
    let mut d = DeliverSm {
        source,
        destination,
        esm_class,
        data_coding,
        message: Vec::new(),
        receipted_message_id: None,
        message_state: None,
    };
    for (t, v) in c.tlvs()? {
        match t {
            tag::MESSAGE_PAYLOAD => message = v.to_vec(),
            tag::RECEIPTED_MESSAGE_ID => {
                let id = v.split(|&b| b == 0).next().unwrap_or_default();
                d.receipted_message_id = Some(String::from_utf8_lossy(id).into_owned());
            }
            tag::MESSAGE_STATE => d.message_state = v.first().copied(),
            _ => {}
        }
    }
    d.message = message;
    Some(d)
}

/// What a `deliver_sm` carries: a receipt (esm_class type 0x04), else an MO message.
pub fn inbound_of(d: &DeliverSm) -> Inbound {
    let text = decode_text(&d.message, d.data_coding);
    if d.esm_class & ESM_TYPE_MASK != ESM_DELIVERY_RECEIPT {
        return Inbound::Message {
            from: d.source.addr.clone(),
            to: d.destination.addr.clone(),
            body: text,
        };
    }
    let message_id = d
        .receipted_message_id
        .clone()
        .filter(|id| !id.is_empty())
        .or_else(|| receipt_field(&text, "id").map(str::to_string))
        .unwrap_or_default();
    let state = match d.message_state {
        Some(s) => state_of_tlv(s),
        None => receipt_field(&text, "stat").map_or(ReceiptState::Other, state_of_text),
    };
    let error = receipt_field(&text, "err").unwrap_or_default().to_string();
    Inbound::Receipt {
        message_id,
        state,
        error,
    }
}

/// message_state TLV values (SMPP 3.4 §5.2.28).
fn state_of_tlv(s: u8) -> ReceiptState {
    match s {
        2 => ReceiptState::Delivered,
        3 => ReceiptState::Expired,
        5 => ReceiptState::Failed,
        8 => ReceiptState::Rejected,
        _ => ReceiptState::Other,
    }
}

/// `stat:` values of the receipt text (SMPP 3.4 Appendix B).
fn state_of_text(s: &str) -> ReceiptState {
    match s.to_ascii_uppercase().as_str() {
        "DELIVRD" => ReceiptState::Delivered,
        "EXPIRED" => ReceiptState::Expired,
        "UNDELIV" => ReceiptState::Failed,
        "REJECTD" => ReceiptState::Rejected,
        _ => ReceiptState::Other,
    }
}

/// The value of `key:` in a receipt text ("id:... sub:... stat:DELIVRD err:000 text:..."):
/// the key at the start or after a space, its value up to the next space.
fn receipt_field<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let mut from = 0;
    while let Some(i) = text[from..].find(key).map(|i| i + from) {
        let after = i + key.len();
        let starts = i == 0 || text[..i].ends_with(char::is_whitespace);
        if starts && text[after..].starts_with(':') {
            let v = &text[after + 1..];
            return Some(v.split(char::is_whitespace).next().unwrap_or_default());
        }
        from = after;
    }
    None
}

/// Text from octets by `data_coding`: 0 GSM 03.38, 8 UTF-16BE, 3 Latin-1, else lossy UTF-8.
pub fn decode_text(b: &[u8], data_coding: u8) -> String {
    match data_coding {
        DC_GSM7 => gsm7_decode(b),
        DC_UCS2 => ucs2_decode(b),
        DC_LATIN1 => b.iter().map(|&c| char::from(c)).collect(),
        _ => String::from_utf8_lossy(b).into_owned(),
    }
}

/// UTF-16BE octets (characters beyond the BMP as surrogate pairs).
pub fn ucs2_encode(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Text from UTF-16BE octets (an odd last octet is dropped; bad surrogates become U+FFFD).
pub fn ucs2_decode(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// The septets of `c` (one, or the escape and an extension septet), `None` outside GSM 03.38.
fn gsm7_char(c: char) -> Option<(u8, Option<u8>)> {
    match gsm7::encode_char(c)? {
        Septets::Basic(s) => Some((s, None)),
        Septets::Extended(s) => Some((gsm7::ESCAPE, Some(s))),
    }
}

/// Whether every character of `s` is in GSM 03.38 (default alphabet or extension).
pub fn gsm7_encodable(s: &str) -> bool {
    s.chars().all(|c| gsm7::encode_char(c).is_some())
}

/// GSM 03.38 septets, one per octet (unpacked); `None` when a character is outside it.
pub fn gsm7_encode(s: &str) -> Option<Vec<u8>> {
    gsm7::encode(s)
}

/// As [`gsm7_encode`], a character outside GSM 03.38 sent as `?`.
pub fn gsm7_encode_lossy(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let (a, b) = gsm7_char(c).unwrap_or((b'?', None));
        out.push(a);
        out.extend(b);
    }
    out
}

/// Text from unpacked GSM 03.38 septets (an unknown extension reads as a space).
pub fn gsm7_decode(b: &[u8]) -> String {
    gsm7::decode(b)
}

#[cfg(test)]
mod tests;

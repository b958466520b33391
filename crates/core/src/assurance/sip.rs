//! The SIP OPTIONS ping (RFC 3261 §11): the request text and the reading of the answer.
//!
//! The probe worker sends [`options_request`] over UDP (one datagram) or TCP, reads until the
//! end of the headers, and asks [`parse_response`] and [`answer_is_up`]. It should also check
//! that the answer's Call-ID is the one it sent and its CSeq method is `OPTIONS`, and keep
//! reading past a provisional (1xx) answer until a final one or the timeout.
//!
//! **Decision:** without an expected status any final answer 200-499 means up: a SIP stack
//! that answers 404 or 405 to OPTIONS is alive. 5xx and 6xx mean down.

/// Longest answer read (the headers of one SIP message).
pub const MAX_RESPONSE_BYTES: usize = 65_535;

/// The fields of one OPTIONS request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options<'a> {
    /// Host as in the target: a name, an IPv4 address or an IPv6 address (with or without
    /// brackets).
    pub host: &'a str,
    pub port: u16,
    /// "UDP" or "TCP".
    pub transport: &'a str,
    /// The local address the request leaves from, "ip:port".
    pub local: &'a str,
    pub call_id: &'a str,
    /// Must start with the RFC 3261 magic cookie `z9hG4bK`.
    pub branch: &'a str,
    pub tag: &'a str,
    pub cseq: u32,
}

/// RFC 3261 magic cookie that starts every branch.
pub const BRANCH_COOKIE: &str = "z9hG4bK";

/// The request text, CRLF line ends, ending in the blank line (no body). A bad field is a
/// bug of the caller, which generates them all: it panics.
pub fn options_request(o: &Options) -> String {
    assert!(
        o.branch.starts_with(BRANCH_COOKIE),
        "a Via branch starts with {BRANCH_COOKIE}"
    );
    assert!(
        o.transport == "UDP" || o.transport == "TCP",
        "transport is UDP or TCP"
    );
    for f in [o.host, o.local, o.call_id, o.branch, o.tag] {
        assert!(
            !f.is_empty() && !f.chars().any(|c| c.is_whitespace() || c.is_control()),
            "SIP header fields carry no spaces or line breaks"
        );
    }
    let host = if o.host.contains(':') && !o.host.starts_with('[') {
        format!("[{}]", o.host)
    } else {
        o.host.to_string()
    };
    let (port, transport, local) = (o.port, o.transport, o.local);
    let (call_id, branch, tag, cseq) = (o.call_id, o.branch, o.tag, o.cseq);
    format!(
        "OPTIONS sip:{host}:{port} SIP/2.0\r\n\
         Via: SIP/2.0/{transport} {local};branch={branch};rport\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:{host}:{port}>\r\n\
         From: <sip:tollgate@{local}>;tag={tag}\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: {cseq} OPTIONS\r\n\
         Contact: <sip:tollgate@{local}>\r\n\
         Accept: application/sdp\r\n\
         User-Agent: tollgate\r\n\
         Content-Length: 0\r\n\
         \r\n"
    )
}

/// What an answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipAnswer {
    pub status: u16,
    pub reason: String,
    pub call_id: String,
    /// The method in the CSeq header (`OPTIONS` for an answer to the ping).
    pub cseq_method: String,
}

/// Reads a response's status line and headers (a UDP datagram, or for TCP the bytes up to the
/// end of the headers). Header names are case-insensitive; `i` is Call-ID's compact form;
/// folded lines continue the header before. Errors are stable codes.
pub fn parse_response(bytes: &[u8]) -> Result<SipAnswer, &'static str> {
    if bytes.is_empty() {
        return Err("empty");
    }
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err("too_large");
    }
    let head_end = find(bytes, b"\r\n\r\n")
        .or_else(|| find(bytes, b"\n\n"))
        .unwrap_or(bytes.len());
    let head = std::str::from_utf8(&bytes[..head_end]).map_err(|_| "not_utf8")?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));

    let status_line = lines.next().ok_or("empty")?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        return Err("not_sip_response");
    }
    let code = parts.next().unwrap_or("");
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("status_invalid");
    }
    let status: u16 = code.parse().map_err(|_| "status_invalid")?;
    if !(100..=699).contains(&status) {
        return Err("status_invalid");
    }
    let reason = parts.next().unwrap_or("").trim().to_string();

    // Unfold, then read the two headers the probe needs.
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            let (_, v) = headers.last_mut().ok_or("header_invalid")?;
            v.push(' ');
            v.push_str(line.trim());
            continue;
        }
        let (name, value) = line.split_once(':').ok_or("header_invalid")?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let header = |names: &[&str]| {
        headers
            .iter()
            .find(|(n, _)| names.contains(&n.as_str()))
            .map(|(_, v)| v.as_str())
    };
    let call_id = header(&["call-id", "i"]).ok_or("call_id_missing")?;
    if call_id.is_empty() {
        return Err("call_id_missing");
    }
    let cseq = header(&["cseq"]).ok_or("cseq_missing")?;
    let mut cs = cseq.split_whitespace();
    let (number, method) = (cs.next(), cs.next());
    let number_ok = number.is_some_and(|n| n.parse::<u32>().is_ok());
    let method = match method {
        Some(m) if number_ok && cs.next().is_none() => m,
        _ => return Err("cseq_invalid"),
    };
    Ok(SipAnswer {
        status,
        reason,
        call_id: call_id.to_string(),
        cseq_method: method.to_string(),
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether the answer means the SIP service is up: with `expect`, exactly that status;
/// otherwise a final answer 200-499 (provisional 1xx is not an answer yet; 5xx/6xx are down).
pub fn answer_is_up(status: u16, expect: Option<u16>) -> bool {
    match expect {
        Some(e) => status == e,
        None => (200..=499).contains(&status),
    }
}

//! The probes' network checks: HTTP (status and body), TCP connect, DNS (one A query over
//! UDP to the named server) and SIP OPTIONS over UDP or TCP. Each is bounded by the probe's
//! timeout and gives a result with its latency; none retries (the streak decides).
//!
//! HTTP is written on a plain TCP connection, like the webhook sender (one request, one
//! status line and a bounded body), so no client crate and TLS stack are pulled in: `http://`
//! only. SIP and DNS build their messages with the pure encoders in `tollgate_core::assurance`.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tollgate_core::assurance::probe::{self, ProbeKind};
use tollgate_core::assurance::{dns, sip};
use tollgate_store::assurance::ProbeRow;

use crate::delivery::webhook::parse_http_url;
use crate::ids::new_id;

/// Bytes of an HTTP answer read at most (the status line, headers and the body match).
pub const HTTP_ANSWER_MAX: usize = 64 * 1024;
/// Bytes of a SIP or DNS answer read at most.
pub const DATAGRAM_MAX: usize = 8 * 1024;
/// Characters of a result's detail kept.
pub const DETAIL_MAX_CHARS: usize = 300;

/// One run of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub latency_us: i64,
    pub detail: String,
}

fn clip(s: String) -> String {
    if s.chars().count() <= DETAIL_MAX_CHARS {
        s
    } else {
        s.chars().take(DETAIL_MAX_CHARS).collect()
    }
}

/// Runs `p` once, within its timeout.
pub async fn run(p: &ProbeRow) -> Outcome {
    let started = Instant::now();
    let timeout = Duration::from_millis(u64::try_from(p.timeout_ms).unwrap_or(1_000));
    let kind = ProbeKind::parse(&p.kind);
    let check = async {
        match kind {
            Ok(ProbeKind::Http) => http(p).await,
            Ok(ProbeKind::Tcp) => TcpStream::connect(&p.target)
                .await
                .map(|_| "connected".to_string())
                .map_err(|e| format!("connect {}: {e}", p.target)),
            Ok(ProbeKind::Dns) => dns_query(p).await,
            Ok(ProbeKind::SipUdp) => sip_udp(p).await,
            Ok(ProbeKind::SipTcp) => sip_tcp(p).await,
            Err(_) => Err(format!("unknown probe kind {}", p.kind)),
        }
    };
    let result = tokio::time::timeout(timeout, check).await;
    let latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    let (ok, detail) = match result {
        Err(_) => (false, format!("no answer within {} ms", p.timeout_ms)),
        Ok(Ok(d)) => (true, d),
        Ok(Err(d)) => (false, d),
    };
    Outcome {
        ok,
        latency_us,
        detail: clip(detail),
    }
}

async fn http(p: &ProbeRow) -> Result<String, String> {
    let (connect, host, path) =
        parse_http_url(&p.target).ok_or_else(|| "the target is not an http:// URL".to_string())?;
    let mut s = TcpStream::connect(&connect)
        .await
        .map_err(|e| format!("connect {connect}: {e}"))?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tollgate-probe\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    while buf.len() < HTTP_ANSWER_MAX {
        let n = s
            .read(&mut chunk)
            .await
            .map_err(|e| format!("answer: {e}"))?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| "no HTTP status line in the answer".to_string())?;
    let wanted_status = match p.expect_status {
        Some(want) => status == want,
        None => (200..400).contains(&status),
    };
    if !wanted_status {
        return Err(format!("HTTP {status}"));
    }
    if let Some(want) = &p.expect_body {
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        if !body.contains(want.as_str()) {
            return Err(format!("HTTP {status}, the body does not contain {want:?}"));
        }
    }
    Ok(format!("HTTP {status}"))
}

async fn dns_query(p: &ProbeRow) -> Result<String, String> {
    let name = p.dns_name.as_deref().unwrap_or_default();
    let id = u16::from_be_bytes(random2());
    let q = dns::query(id, name).map_err(|e| format!("query: {e}"))?;
    let (host, port) = host_port(&p.target)?;
    let sock = UdpSocket::bind(bind_for(&host))
        .await
        .map_err(|e| format!("bind: {e}"))?;
    sock.connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {}: {e}", p.target))?;
    sock.send(&q).await.map_err(|e| format!("send: {e}"))?;
    let mut buf = vec![0u8; DATAGRAM_MAX];
    loop {
        let n = sock
            .recv(&mut buf)
            .await
            .map_err(|e| format!("answer: {e}"))?;
        match dns::parse_answer(id, &buf[..n]) {
            // Another query's answer: keep waiting for ours (the timeout bounds it).
            Err(_) => continue,
            Ok(a) if dns::answer_is_up(&a) => {
                return Ok(format!("{name}: {} answer(s)", a.answers))
            }
            Ok(a) => {
                return Err(format!(
                    "{name}: rcode {}, {} answer(s)",
                    a.rcode, a.answers
                ))
            }
        }
    }
}

fn random2() -> [u8; 2] {
    let mut b = [0u8; 2];
    // Best effort: a zero id still works, it only matches a stray answer more easily.
    let _ = getrandom::getrandom(&mut b);
    b
}

fn bind_for(host: &str) -> &'static str {
    if host.starts_with('[') || host.contains(':') {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    }
}

fn host_port(target: &str) -> Result<(String, u16), String> {
    probe::host_port(target).map_err(|r| r.message)
}

fn expect(p: &ProbeRow) -> Option<u16> {
    p.expect_status.and_then(|s| u16::try_from(s).ok())
}

fn judge(p: &ProbeRow, a: sip::SipAnswer) -> Result<String, String> {
    let line = format!("SIP {} {}", a.status, a.reason);
    if sip::answer_is_up(a.status, expect(p)) {
        Ok(line)
    } else {
        Err(line)
    }
}

async fn sip_udp(p: &ProbeRow) -> Result<String, String> {
    let (host, port) = host_port(&p.target)?;
    let sock = UdpSocket::bind(bind_for(&host))
        .await
        .map_err(|e| format!("bind: {e}"))?;
    sock.connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {}: {e}", p.target))?;
    let local = sock.local_addr().map_err(|e| e.to_string())?.to_string();
    let call_id = new_id("opt");
    let branch = format!("z9hG4bK{}", new_id("b"));
    let tag = new_id("t");
    let req = sip::options_request(&sip::Options {
        host: &host,
        port,
        transport: "UDP",
        local: &local,
        call_id: &call_id,
        branch: &branch,
        tag: &tag,
        cseq: 1,
    });
    sock.send(req.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = vec![0u8; DATAGRAM_MAX];
    loop {
        // A refused port shows here as an error (ICMP unreachable on a connected socket).
        let n = sock
            .recv(&mut buf)
            .await
            .map_err(|e| format!("answer: {e}"))?;
        match sip::parse_response(&buf[..n]) {
            Ok(a) if a.call_id == call_id && a.status >= 200 => return judge(p, a),
            // Provisional answers and strays: wait for the final one.
            _ => continue,
        }
    }
}

async fn sip_tcp(p: &ProbeRow) -> Result<String, String> {
    let (host, port) = host_port(&p.target)?;
    let mut s = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {}: {e}", p.target))?;
    let local = s.local_addr().map_err(|e| e.to_string())?.to_string();
    let call_id = new_id("opt");
    let branch = format!("z9hG4bK{}", new_id("b"));
    let tag = new_id("t");
    let req = sip::options_request(&sip::Options {
        host: &host,
        port,
        transport: "TCP",
        local: &local,
        call_id: &call_id,
        branch: &branch,
        tag: &tag,
        cseq: 1,
    });
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        let n = s
            .read(&mut chunk)
            .await
            .map_err(|e| format!("answer: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection without a final answer".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        // Each message ends its headers with a blank line; OPTIONS answers carry no body we
        // need (Content-Length is skipped by starting after the blank line).
        while let Some(end) = find(&buf, b"\r\n\r\n") {
            let head: Vec<u8> = buf.drain(..end + 4).collect();
            let body_len = content_length(&head);
            buf.drain(..body_len.min(buf.len()));
            if let Ok(a) = sip::parse_response(&head) {
                if a.call_id == call_id && a.status >= 200 {
                    return judge(p, a);
                }
            }
        }
        if buf.len() > DATAGRAM_MAX {
            return Err("the answer is too long".into());
        }
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            let k = k.trim().to_ascii_lowercase();
            (k == "content-length" || k == "l").then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
}

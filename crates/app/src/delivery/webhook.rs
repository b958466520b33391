//! Signed webhook delivery: one HTTP/1.1 POST per queued copy, over a plain TCP connection.
//!
//! Written by hand rather than with an HTTP client crate: a webhook is one request and one
//! status line, and the crates that do it pull in a TLS stack and a connection pool the rest of
//! Tollgate does not need. `http://` only: an operator who wants TLS to the receiver points the
//! endpoint at a local TLS-terminating proxy.
//!
//! Every request carries `X-Tollgate-Delivery` (the outbox id: the receiver's idempotency key,
//! since delivery is at least once) and `X-Tollgate-Signature: t=<unix seconds>,v1=<hex>`, the
//! HMAC-SHA256 of `<t>.<body>` under the endpoint's secret; the receiver recomputes it and
//! refuses a stale `t` to stop replays.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tollgate_store::outbox::system::webhooks;
use tollgate_store::outbox::system::Queued;

use crate::App;

/// How long one webhook exchange may take (connect, send, status line).
pub const WEBHOOK_TIMEOUT_S: u64 = 10;
/// The longest endpoint URL accepted.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2_048;

/// An endpoint URL split for the request: `host:port` to connect to, the `Host` header, the
/// path. `None` unless `http://host[:port][/path]`.
pub fn parse_http_url(url: &str) -> Option<(String, String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty()
        || url.len() > MAX_WEBHOOK_URL_CHARS
        || authority.contains('@')
        || !path.bytes().all(|b| b.is_ascii_graphic())
    {
        return None;
    }
    let connect = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            authority.to_string()
        }
        Some(_) => return None,
        None => format!("{authority}:80"),
    };
    Some((connect, authority.to_string(), path.to_string()))
}

/// The `X-Tollgate-Signature` value for `body` sent at `t`.
pub fn signature_header(secret: &str, t: i64, body: &str) -> String {
    let v1 = crate::secrets::hmac_sha256_hex(secret.as_bytes(), format!("{t}.{body}").as_bytes());
    format!("t={t},v1={v1}")
}

/// Bytes of an answer read at most (status line, headers and a small JSON body).
const ANSWER_MAX: usize = 16 * 1024;

/// Why an exchange gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostError {
    /// Nothing was sent (bad URL, no connection): safe to try again.
    NotSent(String),
    /// The request was written but no answer came: the receiver may have it.
    NoAnswer(String),
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostError::NotSent(e) | PostError::NoAnswer(e) => f.write_str(e),
        }
    }
}

/// One signed JSON POST; the answer's status and body (read up to [`ANSWER_MAX`] bytes,
/// until the peer closes: `Connection: close`).
pub async fn post_signed(
    url: &str,
    id: &str,
    signature: &str,
    body: &str,
) -> Result<(u16, String), PostError> {
    let (connect, host, path) = parse_http_url(url)
        .ok_or_else(|| PostError::NotSent("endpoint URL is not http://".into()))?;
    let mut stream = tokio::net::TcpStream::connect(&connect)
        .await
        .map_err(|e| PostError::NotSent(format!("connect {connect}: {e}")))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nUser-Agent: tollgate\r\nX-Tollgate-Delivery: {id}\r\n\
         X-Tollgate-Signature: {signature}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| PostError::NoAnswer(format!("send: {e}")))?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while buf.len() < ANSWER_MAX {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| PostError::NoAnswer(format!("answer: {e}")))?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| PostError::NoAnswer("no HTTP status line in the answer".into()))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

async fn post(url: &str, id: &str, signature: &str, body: &str) -> Result<(), String> {
    let (status, _) = post_signed(url, id, signature, body)
        .await
        .map_err(|e| e.to_string())?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("endpoint answered {status}"))
    }
}

impl App {
    /// Sends one queued webhook copy to its endpoint, signed at `now`.
    pub(crate) async fn post_webhook(&self, q: &Queued, now: i64) -> Result<(), String> {
        let endpoint = webhooks::get(&self.store, &q.message.recipient)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("endpoint unknown")?;
        if endpoint.disabled_at.is_some() {
            return Err("endpoint disabled".into());
        }
        let signature = signature_header(&endpoint.secret, now, &q.message.body);
        tokio::time::timeout(
            Duration::from_secs(WEBHOOK_TIMEOUT_S),
            post(&endpoint.url, &q.message.id, &signature, &q.message.body),
        )
        .await
        .map_err(|_| format!("no answer within {WEBHOOK_TIMEOUT_S} s"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_plain_http_with_an_optional_port_and_path() {
        assert_eq!(
            parse_http_url("http://127.0.0.1:9000/hooks/tollgate"),
            Some((
                "127.0.0.1:9000".into(),
                "127.0.0.1:9000".into(),
                "/hooks/tollgate".into()
            ))
        );
        assert_eq!(
            parse_http_url("http://hooks.example"),
            Some((
                "hooks.example:80".into(),
                "hooks.example".into(),
                "/".into()
            ))
        );
        assert_eq!(parse_http_url("https://hooks.example/"), None);
        assert_eq!(parse_http_url("http://user@hooks.example/"), None);
        assert_eq!(parse_http_url("http://hooks.example:http/"), None);
        assert_eq!(parse_http_url("http:///x"), None);
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // RFC 4231 test case 2 checks the HMAC itself: key "Jefe",
        // data "what do ya want for nothing?".
        assert_eq!(
            crate::secrets::hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The header signs "<t>.<body>": the same HMAC of the joined string.
        let h = signature_header("Jefe", 1_795_000_000, "{}");
        let expected = crate::secrets::hmac_sha256_hex(b"Jefe", b"1795000000.{}");
        assert_eq!(h, format!("t=1795000000,v1={expected}"));
    }
}

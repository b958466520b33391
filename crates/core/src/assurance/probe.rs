//! Probes (S4, W 18: the NOC monitors 24/7; S2, W 20.2: availability measures whether the
//! technical interfaces work): what a probe checks, its validation, and the state machine that
//! turns a run of results into an outage opened or closed.
//!
//! Validation refusals (field → codes), in the order they are checked:
//!
//! | field | codes |
//! |---|---|
//! | `interval_s` | `interval_invalid` |
//! | `timeout_ms` | `timeout_invalid` (also when longer than the interval) |
//! | `fail_threshold`, `recover_threshold` | `threshold_invalid` |
//! | `target` | `target_invalid`, `port_invalid`, `https_not_supported` |
//! | `dns_name` | `dns_name_required`, `dns_name_invalid`, `dns_name_not_allowed` |
//! | `expect_status` | `expect_status_invalid`, `expect_status_not_allowed` |
//! | `expect_body` | `expect_body_invalid`, `expect_body_not_allowed` |

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::Refusal;

/// How a target is probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// A plain-HTTP GET; up on the expected status (default 2xx/3xx) and body.
    Http,
    /// A TCP connect.
    Tcp,
    /// A DNS A query over UDP to a server.
    Dns,
    /// A SIP OPTIONS ping over UDP.
    SipUdp,
    /// A SIP OPTIONS ping over TCP.
    SipTcp,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 5] = [
        ProbeKind::Http,
        ProbeKind::Tcp,
        ProbeKind::Dns,
        ProbeKind::SipUdp,
        ProbeKind::SipTcp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Http => "http",
            ProbeKind::Tcp => "tcp",
            ProbeKind::Dns => "dns",
            ProbeKind::SipUdp => "sip_udp",
            ProbeKind::SipTcp => "sip_tcp",
        }
    }

    /// `kind_invalid` on field `kind` for anything else.
    pub fn parse(s: &str) -> Result<ProbeKind, Refusal> {
        ProbeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Refusal::invalid(
                    "kind_invalid",
                    "kind",
                    format!("`{s}` is not a probe kind; one of: http, tcp, dns, sip_udp, sip_tcp"),
                )
            })
    }

    fn is_sip(self) -> bool {
        matches!(self, ProbeKind::SipUdp | ProbeKind::SipTcp)
    }
}

pub const MIN_INTERVAL_S: i64 = 5;
pub const MAX_INTERVAL_S: i64 = 86_400;
pub const MIN_TIMEOUT_MS: i64 = 100;
pub const MAX_TIMEOUT_MS: i64 = 30_000;
pub const MAX_THRESHOLD: i64 = 100;
pub const MAX_TARGET_CHARS: usize = 512;
pub const MAX_BODY_MATCH_CHARS: usize = 256;
/// RFC 1035 §2.3.4: names up to 253 characters in text, labels up to 63.
pub const MAX_NAME_CHARS: usize = 253;
pub const MAX_LABEL_CHARS: usize = 63;

/// What to probe and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSpec {
    pub kind: ProbeKind,
    /// http: `http://host[:port][/path]`; tcp, sip_udp, sip_tcp: `host:port`; dns: the
    /// server's `host:port`.
    pub target: String,
    /// dns only: the name to resolve (A record).
    pub dns_name: Option<String>,
    /// http (100..=599) and sip (100..=699) only: the one status that means up.
    pub expect_status: Option<i64>,
    /// http only: text the body must contain.
    pub expect_body: Option<String>,
    pub interval_s: i64,
    pub timeout_ms: i64,
    /// Consecutive failures that open an outage.
    pub fail_threshold: i64,
    /// Consecutive successes that close it.
    pub recover_threshold: i64,
}

/// A plain-HTTP target split up: host without brackets, port (80 by default), path (`/` by
/// default, with any query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Checks a probe specification; the first refusal found (see the module's table).
pub fn validate(s: &ProbeSpec) -> Result<(), Refusal> {
    if !(MIN_INTERVAL_S..=MAX_INTERVAL_S).contains(&s.interval_s) {
        return Err(Refusal::invalid(
            "interval_invalid",
            "interval_s",
            format!("the interval is between {MIN_INTERVAL_S} and {MAX_INTERVAL_S} seconds"),
        ));
    }
    if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&s.timeout_ms) {
        return Err(Refusal::invalid(
            "timeout_invalid",
            "timeout_ms",
            format!("the timeout is between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS} ms"),
        ));
    }
    if s.timeout_ms > s.interval_s * 1_000 {
        return Err(Refusal::invalid(
            "timeout_invalid",
            "timeout_ms",
            "the timeout is longer than the interval: a probe would overlap the next",
        ));
    }
    for (field, v) in [
        ("fail_threshold", s.fail_threshold),
        ("recover_threshold", s.recover_threshold),
    ] {
        if !(1..=MAX_THRESHOLD).contains(&v) {
            return Err(Refusal::invalid(
                "threshold_invalid",
                field,
                format!("a threshold is between 1 and {MAX_THRESHOLD} consecutive results"),
            ));
        }
    }
    check_target_text(&s.target)?;
    match s.kind {
        ProbeKind::Http => http_target(&s.target).map(|_| ())?,
        _ => host_port(&s.target).map(|_| ())?,
    }
    match (s.kind, &s.dns_name) {
        (ProbeKind::Dns, None) => {
            return Err(Refusal::invalid(
                "dns_name_required",
                "dns_name",
                "a dns probe needs the name to resolve",
            ))
        }
        (ProbeKind::Dns, Some(n)) => {
            if !is_hostname(n.strip_suffix('.').unwrap_or(n)) {
                return Err(Refusal::invalid(
                    "dns_name_invalid",
                    "dns_name",
                    format!(
                        "`{n}` is not a host name (letters, digits and hyphens; labels up to \
                         {MAX_LABEL_CHARS}, {MAX_NAME_CHARS} characters in all)"
                    ),
                ));
            }
        }
        (_, Some(_)) => {
            return Err(Refusal::invalid(
                "dns_name_not_allowed",
                "dns_name",
                "only a dns probe takes a name to resolve",
            ))
        }
        (_, None) => {}
    }
    if let Some(status) = s.expect_status {
        // A final status only: a 1xx answer is provisional, the check waits past it.
        let range = match s.kind {
            ProbeKind::Http => 200..=599,
            k if k.is_sip() => 200..=699,
            _ => {
                return Err(Refusal::invalid(
                    "expect_status_not_allowed",
                    "expect_status",
                    "only http and sip probes expect a status",
                ))
            }
        };
        if !range.contains(&status) {
            return Err(Refusal::invalid(
                "expect_status_invalid",
                "expect_status",
                format!(
                    "the expected status is between {} and {}",
                    range.start(),
                    range.end()
                ),
            ));
        }
    }
    if let Some(body) = &s.expect_body {
        if s.kind != ProbeKind::Http {
            return Err(Refusal::invalid(
                "expect_body_not_allowed",
                "expect_body",
                "only an http probe matches the body",
            ));
        }
        if body.is_empty()
            || body.chars().count() > MAX_BODY_MATCH_CHARS
            || body.chars().any(char::is_control)
        {
            return Err(Refusal::invalid(
                "expect_body_invalid",
                "expect_body",
                format!(
                    "the expected body text is 1 to {MAX_BODY_MATCH_CHARS} characters without \
                     control characters"
                ),
            ));
        }
    }
    Ok(())
}

fn target_invalid(message: impl Into<String>) -> Refusal {
    Refusal::invalid("target_invalid", "target", message)
}

fn check_target_text(t: &str) -> Result<(), Refusal> {
    if t.is_empty() || t.chars().count() > MAX_TARGET_CHARS {
        return Err(target_invalid(format!(
            "the target is 1 to {MAX_TARGET_CHARS} characters"
        )));
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(target_invalid(
            "the target has spaces or control characters",
        ));
    }
    Ok(())
}

/// Splits `host:port` (host a name, an IPv4 address or `[IPv6]`; port 1-65535). The host is
/// returned without brackets. `target_invalid` or `port_invalid` on field `target`.
pub fn host_port(target: &str) -> Result<(String, u16), Refusal> {
    let (host, port) = split_host(target)?;
    match port {
        Some(p) => Ok((host, p)),
        None => Err(target_invalid(format!(
            "`{target}` has no port: host:port, e.g. sip.example.com:5060"
        ))),
    }
}

/// `host[:port]` → host (without brackets) and the port if one is given.
fn split_host(s: &str) -> Result<(String, Option<u16>), Refusal> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| target_invalid(format!("`{s}`: an IPv6 address ends with `]`")))?;
        if v6.parse::<Ipv6Addr>().is_err() {
            return Err(target_invalid(format!("`{v6}` is not an IPv6 address")));
        }
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':').ok_or_else(|| {
                target_invalid(format!("`{s}`: a port follows the address after `:`"))
            })?),
        };
        (v6.to_string(), port)
    } else {
        let (host, port) = match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        if port.is_some_and(|p| p.contains(':')) {
            return Err(target_invalid(format!(
                "`{s}`: write an IPv6 address in brackets, e.g. [2001:db8::1]:5060"
            )));
        }
        if host.parse::<Ipv4Addr>().is_err() && !is_hostname(host) {
            return Err(target_invalid(format!(
                "`{host}` is neither a host name nor an IP address"
            )));
        }
        (host.to_string(), port)
    };
    let port = match port {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host, port))
}

fn parse_port(p: &str) -> Result<u16, Refusal> {
    let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    match p.parse::<u16>() {
        Ok(n) if ok && n >= 1 => Ok(n),
        _ => Err(Refusal::invalid(
            "port_invalid",
            "target",
            format!("`{p}` is not a port (1-65535)"),
        )),
    }
}

/// Reads an http target: `http://host[:port][/path]`. An `https://` target refuses with
/// `https_not_supported`: TLS is not probed yet.
pub fn http_target(target: &str) -> Result<HttpTarget, Refusal> {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Err(Refusal::invalid(
            "https_not_supported",
            "target",
            "TLS is not probed yet: use an http:// URL, or a tcp probe on port 443 to check \
             that the HTTPS port answers",
        ));
    }
    if !lower.starts_with("http://") {
        return Err(target_invalid(format!(
            "`{target}` is not an http URL: http://host[:port][/path]"
        )));
    }
    let rest = &target["http://".len()..];
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(cut);
    if authority.contains('@') {
        return Err(target_invalid("credentials in the URL are not supported"));
    }
    if path.contains('#') {
        return Err(target_invalid("a URL fragment (`#…`) is never sent"));
    }
    let (host, port) = split_host(authority)?;
    let path = match path {
        "" => "/".to_string(),
        p if p.starts_with('?') => format!("/{p}"),
        p => p.to_string(),
    };
    Ok(HttpTarget {
        host,
        port: port.unwrap_or(80),
        path,
    })
}

/// A host name: labels of letters, digits and hyphens (not at either end), 1 to 63 characters
/// each, 253 in all; the last label not all digits (so `300.1.1.1` is no name).
pub fn is_hostname(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_NAME_CHARS {
        return false;
    }
    let labels_ok = s.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= MAX_LABEL_CHARS
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    let last = s.rsplit('.').next().unwrap_or("");
    labels_ok && !last.bytes().all(|b| b.is_ascii_digit())
}

/// A probe's run of results and whether it holds an outage open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub failures: i64,
    pub successes: i64,
    pub open: bool,
}

/// What a result did to the probe's outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    None,
    /// `fail_threshold` consecutive failures: open an outage (the caller may date it from the
    /// first failure of the run).
    Open,
    /// `recover_threshold` consecutive successes while open: close it.
    Close,
}

/// One result. A success resets the failures, a failure the successes. Failures reaching
/// `fail_threshold` while closed open; successes reaching `recover_threshold` while open
/// close. Thresholds below 1 count as 1.
pub fn step(
    s: Streak,
    ok: bool,
    fail_threshold: i64,
    recover_threshold: i64,
) -> (Streak, Transition) {
    let mut n = s;
    let mut t = Transition::None;
    if ok {
        n.failures = 0;
        n.successes = s.successes.saturating_add(1);
        if s.open && n.successes >= recover_threshold.max(1) {
            n.open = false;
            t = Transition::Close;
        }
    } else {
        n.successes = 0;
        n.failures = s.failures.saturating_add(1);
        if !s.open && n.failures >= fail_threshold.max(1) {
            n.open = true;
            t = Transition::Open;
        }
    }
    (n, t)
}

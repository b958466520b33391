//! The client address behind trusted reverse proxies (issue 11 #5).

/// An IP network (`10.0.0.0/8`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        match (self.addr, ip) {
            (V4(n), V4(a)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (V6(n), V6(a)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Parses `10.0.0.0/8,127.0.0.1` (empty: none).
pub fn parse_trusted_proxies(s: &str) -> Result<Vec<IpNet>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, bits) = p.split_once('/').unwrap_or((p, ""));
            let addr: std::net::IpAddr = a.parse().map_err(|_| format!("`{p}` is not an IP"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = if bits.is_empty() {
                max
            } else {
                bits.parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("`{p}`: prefix must be 0 to {max}"))?
            };
            Ok(IpNet { addr, prefix })
        })
        .collect()
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest
/// untrusted address its `X-Forwarded-For` (or `Forwarded: for=`) chain names, read from
/// the right (what the trusted proxy itself saw). Headers from anyone else are ignored, so a
/// client cannot pick the address it is rate limited under.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: &[&str],
    forwarded: &[&str],
    trusted: &[IpNet],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut chain: Vec<std::net::IpAddr> = forwarded_for
        .iter()
        .flat_map(|h| h.split(','))
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if chain.is_empty() {
        chain = forwarded
            .iter()
            .flat_map(|h| h.split([',', ';']))
            .filter_map(|part| {
                let v = part
                    .trim()
                    .strip_prefix("for=")
                    .or_else(|| part.trim().strip_prefix("For="))?;
                let v = v.trim_matches('"');
                let v = v
                    .strip_prefix('[')
                    .map_or(v, |x| x.split(']').next().unwrap_or(x));
                v.parse()
                    .ok()
                    .or_else(|| v.rsplit_once(':').and_then(|(h, _)| h.parse().ok()))
            })
            .collect();
    }
    Some(
        chain
            .into_iter()
            .rev()
            .find(|ip| !is_trusted(*ip))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod address_tests {
    use super::*;

    #[test]
    fn i11_5_client_address_reads_forwarding_only_from_trusted_proxies() {
        let trusted = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8, ::1").unwrap();
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let addr = |peer, xff: &[&str], fwd: &[&str]| {
            client_address(Some(ip(peer)), xff, fwd, &trusted).unwrap()
        };
        assert_eq!(
            addr("198.51.100.1", &["203.0.113.5"], &[]),
            ip("198.51.100.1")
        );
        assert_eq!(addr("127.0.0.1", &["203.0.113.5"], &[]), ip("203.0.113.5"));
        // Read from the right: a client-supplied left part is not believed.
        assert_eq!(
            addr("10.0.0.2", &["6.6.6.6, 203.0.113.5, 10.0.0.7"], &[]),
            ip("203.0.113.5")
        );
        assert_eq!(
            addr("::1", &[], &["for=\"[2001:db8::1]:4711\";proto=https"]),
            ip("2001:db8::1")
        );
        assert_eq!(addr("127.0.0.1", &[], &[]), ip("127.0.0.1"));
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("proxy.local").is_err());
    }
}

//! Outgoing webhooks (R-ISO-7): which events exist, which targets are
//! acceptable, and how a delivery is signed. No IO: resolving names and
//! sending happen elsewhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::Error;

/// The events a webhook can receive.
pub const EVENTS: [&str; 4] = [
    "update_posted",
    "comment_posted",
    "collection_changed",
    "environment_changed",
];

/// A webhook target: the URL and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub https: bool,
    /// The host as written (without brackets for IPv6).
    pub host: String,
    pub port: u16,
}

fn bad(message: &str) -> Error {
    Error::invalid("invalid_webhook_url", message.to_owned())
}

impl Target {
    /// Reads an `http://` or `https://` URL with a host, no user info.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let url = url.trim();
        if url.len() > 2_000 {
            return Err(bad("The URL is too long."));
        }
        let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("The URL must start with https:// or http://."));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("The URL may not carry a user name or password."));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("The IPv6 address is not closed."))?;
            let port = after.strip_prefix(':');
            (h.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("The URL needs a host."));
        }
        let port = match port {
            Some(p) => p.parse::<u16>().map_err(|_| bad("The port is not a number."))?,
            None if https => 443,
            None => 80,
        };
        Ok(Self {
            url: url.to_owned(),
            https,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// Whether the host names this machine by name (`localhost`).
    pub fn is_local_name(&self) -> bool {
        self.host == "localhost" || self.host.ends_with(".localhost")
    }
}

/// Addresses a webhook must not reach unless the operator allows it:
/// loopback, private, link-local (cloud metadata), shared, unspecified,
/// multicast and reserved ranges.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || v6 == Ipv6Addr::LOCALHOST
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || a >= 240
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, in lower-case hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8], sha256: impl Fn(&[u8]) -> [u8; 32]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Vec::with_capacity(BLOCK + message.len());
    inner.extend(k.iter().map(|b| b ^ 0x36));
    inner.extend_from_slice(message);
    let inner_hash = sha256(&inner);
    let mut outer = Vec::with_capacity(BLOCK + 32);
    outer.extend(k.iter().map(|b| b ^ 0x5c));
    outer.extend_from_slice(&inner_hash);
    sha256(&outer).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_iso_7_internal_targets_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap_or_else(|_| panic!("{ip}"))), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_internal(ip.parse().unwrap_or_else(|_| panic!("{ip}"))), "{ip}");
        }
    }

    #[test]
    fn r_iso_7_urls_are_read_strictly() {
        let t = Target::parse("https://hooks.example.com/services/T1?x=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.host.as_str(), t.port, t.https), ("hooks.example.com", 443, true));
        let t = Target::parse("http://[::1]:8080/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.host.as_str(), t.port), ("::1", 8080));
        assert!(t.ip().is_some_and(is_internal));
        assert!(Target::parse("http://localhost:3000").is_ok_and(|t| t.is_local_name()));
        for bad in [
            "ftp://x",
            "https://",
            "https://user:pw@x.example",
            "http://x:notaport/",
            "javascript:alert(1)",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}

//! Typed condition values: the one reader of the numbers, dates, IP ranges, booleans and ARNs that condition
//! operators compare. The validator reports a value these functions cannot read, and the evaluator treats such a
//! value as unreadable (its answer becomes uncertain and says why), so "the validator accepts it" means "the
//! evaluator reads it".
//!
//! Operator families: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>

use crate::time::Timestamp;
use std::net::IpAddr;

/// A `Numeric*` value: a finite decimal number (`10`, `-1.5`, `1e3`); `inf`, `NaN` and `1_000` are not numbers
/// to IAM.
pub fn number(v: &str) -> Option<f64> {
    let v = v.trim();
    if v.is_empty()
        || !v
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A `Date*` value (see [`Timestamp::parse_condition`]).
pub fn date(v: &str) -> Option<Timestamp> {
    Timestamp::parse_condition(v)
}

/// An `IpAddress`/`NotIpAddress` value: an IPv4 or IPv6 address, or a CIDR range; the prefix length.
pub fn ip_range(v: &str) -> Option<(IpAddr, u8)> {
    let v = v.trim();
    let (addr, bits) = match v.split_once('/') {
        Some((a, b)) => {
            if b.is_empty() || !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (a, Some(b.parse::<u8>().ok()?))
        }
        None => (v, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

/// A request's IP address (`aws:SourceIp`).
pub fn ip(v: &str) -> Option<IpAddr> {
    v.trim().parse().ok()
}

/// A `Bool` or `Null` value: `true` or `false`, in any case.
pub fn boolean(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An `Arn*` policy value: `*` or text that starts with `arn:` (the rest may hold wildcards).
pub fn arn_pattern(v: &str) -> bool {
    v == "*" || v.starts_with("arn:")
}

/// Whether `ip` is in the range `net/bits`; an IPv4-mapped IPv6 address is compared as IPv4.
pub fn ip_in(ip: IpAddr, (net, bits): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V4(_)) => a
            .to_ipv4_mapped()
            .is_some_and(|v4| ip_in(IpAddr::V4(v4), (net, bits))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(" 10 "), Some(10.0));
        assert_eq!(number("-1.5e1"), Some(-15.0));
        for bad in ["", "ten", "inf", "NaN", "1_000", "1e999"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    #[test]
    fn ip_ranges() {
        let r = ip_range("203.0.113.0/24").unwrap();
        assert!(ip_in(ip("203.0.113.7").unwrap(), r));
        assert!(!ip_in(ip("203.0.114.7").unwrap(), r));
        assert!(ip_in(ip("::ffff:203.0.113.9").unwrap(), r));
        assert!(ip_in(
            ip("10.1.2.3").unwrap(),
            ip_range("0.0.0.0/0").unwrap()
        ));
        assert!(ip_in(
            ip("2001:db8::1").unwrap(),
            ip_range("2001:db8::/32").unwrap()
        ));
        for bad in [
            "10.0.0.300",
            "10.0.0.0/33",
            "any",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "2001:db8::/129",
        ] {
            assert_eq!(ip_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("TRUE"), Some(true));
        assert_eq!(boolean("false"), Some(false));
        assert_eq!(boolean("yes"), None);
    }
}

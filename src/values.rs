//! Typed condition values: the one reader of the numbers, dates, IP ranges, booleans and ARNs that condition
//! operators compare. The validator reports a value these functions cannot read, and the evaluator treats such a
//! value as unreadable (its answer becomes uncertain and says why), so "the validator accepts it" means "the
//! evaluator reads it".
//!
//! Operator families: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>

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

/// How two `Numeric*` values compare, when that is known: both must be numbers ([`number`]), and their exact
/// decimal values must compare as their nearest doubles do. Where the two disagree (`9007199254740993` and
/// `9007199254740992` are one double; so are `0.1` and `0.10000000000000001`), the answer depends on a precision
/// IAM does not document, so it is `None`: the test is undecided rather than decided either way.
pub fn compare_numbers(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let approx = number(a)?.partial_cmp(&number(b)?)?;
    // Decimals of at most 15 digits and no exponent are told apart, in order, by their doubles (15 is
    // `f64::DIGITS`: such a decimal survives the round trip through a double): no exact comparison needed.
    let short = |v: &str| {
        !v.bytes().any(|c| c == b'e' || c == b'E')
            && v.bytes().filter(u8::is_ascii_digit).count() <= f64::DIGITS as usize
    };
    if short(a) && short(b) {
        return Some(approx);
    }
    // An exponent too large to compare digit by digit (`1e-10001` is 0 as a double): undecided too.
    let (x, y) = (Decimal::parse(a)?, Decimal::parse(b)?);
    (x.cmp(&y) == approx).then_some(approx)
}

/// A decimal number exactly: `0.d₁d₂…dₙ × 10^point`, its digits without leading or trailing zeros (none for
/// zero).
#[derive(PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    /// `[+-]digits[.digits][(e|E)[+-]digits]`, exponents up to 10,000 in size.
    fn parse(v: &str) -> Option<Decimal> {
        let v = v.trim();
        let (negative, v) = match v.as_bytes().first() {
            Some(b'-') => (true, v.get(1..)?),
            Some(b'+') => (false, v.get(1..)?),
            _ => (false, v),
        };
        let (mantissa, exponent) = match v.find(['e', 'E']) {
            Some(i) => (v.get(..i)?, v.get(i + 1..)?.parse::<i64>().ok()?),
            None => (v, 0),
        };
        if exponent.unsigned_abs() > 10_000 {
            return None;
        }
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|c| c - b'0').collect();
        let lead = all.iter().take_while(|d| **d == 0).count();
        let trail = all.iter().rev().take_while(|d| **d == 0).count();
        // All zeros: `lead` is the whole length and no digit is left.
        let digits = all
            .get(lead..all.len() - trail)
            .unwrap_or_default()
            .to_vec();
        let point = int.len() as i64 - lead as i64 + exponent;
        Some(Decimal {
            negative: negative && !digits.is_empty(),
            digits,
            point,
        })
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let magnitude = |a: &Decimal, b: &Decimal| match (a.digits.is_empty(), b.digits.is_empty())
        {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a.point.cmp(&b.point).then_with(|| a.digits.cmp(&b.digits)),
        };
        match (self.negative, other.negative) {
            (false, false) => magnitude(self, other),
            (true, true) => magnitude(other, self),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A `Date*` value, with its fraction of a second (see [`crate::time::Timestamp::parse_condition`]).
pub fn date(v: &str) -> Option<crate::time::Instant> {
    crate::time::Instant::parse_condition(v)
}

/// An `IpAddress`/`NotIpAddress` value: an IPv4 or IPv6 address, or a CIDR range; the prefix length. Spaces
/// around it and a zero-led prefix (`/08`) are read past here (see [`ip_written_exactly`]).
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

/// Whether an `IpAddress` value is written in "the standard CIDR format"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress>):
/// no spaces around it, no zero-led prefix (`/08`). How IAM reads the others is not documented: the evaluator
/// leaves a test of one undecided.
pub fn ip_written_exactly(v: &str) -> bool {
    v == v.trim()
        && v.split_once('/')
            .is_none_or(|(_, b)| b.len() == 1 || !b.starts_with('0'))
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

/// An `Arn*` policy value: `*`, or an ARN of six fields whose fields may hold wildcards. Anything else
/// (`arn:*`, fewer fields) cannot be read: how IAM compares it field by field is not documented, so a test of it
/// is undecided rather than false.
pub fn arn_pattern(v: &str) -> bool {
    v == "*" || (v.starts_with("arn:") && crate::arn::Arn::fields(v).is_some())
}

/// Whether the request's address `ip` is in the policy's range `range` ([`ip_range`]), or `None` when `range`
/// cannot be read or when the answer depends on what AWS does not document:
/// - whether an IPv4 address and its IPv4-mapped IPv6 form (`::ffff:10.0.0.1`) are one address: both readings
///   are tried (each family apart, and every address as IPv6), and they must agree;
/// - the prefix of an IPv6 address written without one: the page says "IAM uses the default prefix value of
///   `/32`", which for IPv6 may be meant as the whole address (`/128`); both must agree.
pub fn ip_matches(ip: IpAddr, range: &str) -> Option<bool> {
    if !ip_written_exactly(range) {
        return None;
    }
    let (net, bits) = ip_range(range)?;
    let apart = ip_in_family(ip, net, bits);
    let answer = (apart == ip_in_v6(ip, net, bits)).then_some(apart)?;
    if net.is_ipv6() && !range.contains('/') {
        let short = ip_in_family(ip, net, 32);
        (short == answer && ip_in_v6(ip, net, 32) == answer).then_some(answer)
    } else {
        Some(answer)
    }
}

/// `ip` in `net/bits`, each family apart: an IPv4 address is never in an IPv6 range, nor the reverse.
fn ip_in_family(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        _ => false,
    }
}

/// `ip` in `net/bits` with every IPv4 address and range read as IPv4-mapped IPv6 (`10.0.0.0/8` as
/// `::ffff:10.0.0.0/104`).
fn ip_in_v6(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let v6 = |a: IpAddr| match a {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    let bits = if net.is_ipv4() { bits + 96 } else { bits };
    ip_in_family(IpAddr::V6(v6(ip)), IpAddr::V6(v6(net)), bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_exactly_or_not_at_all() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        for (a, b, want) in [
            ("10", "9", Some(Greater)),
            ("-1.5", "-1.25", Some(Less)),
            ("1e3", "1000.0", Some(Equal)),
            ("0.5", ".5", Some(Equal)),
            ("-0", "0", Some(Equal)),
            ("+7", "7.000", Some(Equal)),
            ("0.001", "1e-3", Some(Equal)),
            ("123.45", "123.4", Some(Greater)),
            // One double, two numbers: undecided.
            ("9007199254740993", "9007199254740992", None),
            ("0.10000000000000001", "0.1", None),
            // Exponents beyond what is compared digit by digit, even one whose size overflows: undecided.
            ("1e-10001", "0", None),
            ("1e-9223372036854775808", "0", None),
            ("0.01e-9223372036854775808", "1", None),
            // Not numbers.
            ("abc", "1", None),
            ("inf", "1", None),
        ] {
            assert_eq!(compare_numbers(a, b), want, "{a} vs {b}");
        }
    }

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
        let m = |a: &str, r: &str| ip_matches(ip(a).unwrap(), r);
        assert_eq!(m("203.0.113.7", "203.0.113.0/24"), Some(true));
        assert_eq!(m("203.0.114.7", "203.0.113.0/24"), Some(false));
        assert_eq!(m("10.1.2.3", "0.0.0.0/0"), Some(true));
        assert_eq!(m("2001:db8::1", "2001:db8::/32"), Some(true));
        assert_eq!(
            m("10.0.0.1", "10.0.0.1"),
            Some(true),
            "a bare IPv4 address is /32"
        );
        assert_eq!(m("10.0.0.2", "10.0.0.1"), Some(false));
        // An IPv4 address and its IPv4-mapped form: whether IAM takes them as one is not documented.
        assert_eq!(m("::ffff:203.0.113.9", "203.0.113.0/24"), None);
        assert_eq!(m("203.0.113.9", "::ffff:203.0.113.0/120"), None);
        assert_eq!(m("10.0.0.1", "::/0"), None);
        // Both readings agree: decided.
        assert_eq!(m("::ffff:10.0.0.1", "192.168.0.0/16"), Some(false));
        assert_eq!(m("2001:db8::1", "10.0.0.0/8"), Some(false));
        assert_eq!(m("10.0.0.1", "2001:db8::/32"), Some(false));
        // A bare IPv6 address: `/128`, or the page's default `/32`.
        assert_eq!(m("2001:db8::2", "2001:db8::1"), None);
        assert_eq!(m("2001:db8::1", "2001:db8::1"), Some(true));
        assert_eq!(m("2001:db9::1", "2001:db8::1"), Some(false));
        // Read past, but not in the standard form: undecided.
        for loose in [" 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0/08"] {
            assert!(ip_range(loose).is_some(), "{loose}");
            assert_eq!(m("10.0.0.1", loose), None, "{loose}");
        }
        assert_eq!(m("10.0.0.1", "10.0.0.0/0"), Some(true));
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

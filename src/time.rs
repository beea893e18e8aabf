//! Timestamps as AWS writes them: `2023-03-09T10:41:49Z`, `2023-03-09 10:41:49+00:00`, with or without
//! fractional seconds, and plain dates.

use serde::Serialize;

/// Seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Timestamp(pub i64);

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// ASCII digits only, `min..=max` of them, as a number.
fn number(s: &[u8], min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, b| a * 10 + i64::from(b - b'0')))
}

fn digits(s: &[u8], n: usize) -> Option<(u32, &[u8])> {
    let (head, rest) = s.split_at_checked(n)?;
    if !head.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = head.iter().fold(0u32, |a, b| a * 10 + (b - b'0') as u32);
    Some((v, rest))
}

impl Timestamp {
    /// Parse an ISO 8601 / RFC 3339 date-time as AWS writes it, or a plain `YYYY-MM-DD` (midnight UTC).
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.trim().as_bytes();
        let (y, b) = digits(b, 4)?;
        let b = b.strip_prefix(b"-")?;
        let (mo, b) = digits(b, 2)?;
        let b = b.strip_prefix(b"-")?;
        let (d, b) = digits(b, 2)?;
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
            return None;
        }
        let days = days_from_civil(y as i64, mo, d);
        if b.is_empty() {
            return Some(Timestamp(days * 86_400));
        }
        let b = match b {
            [b'T' | b't' | b' ', rest @ ..] => rest,
            _ => return None,
        };
        let (h, b) = digits(b, 2)?;
        let b = b.strip_prefix(b":")?;
        let (mi, b) = digits(b, 2)?;
        let (sec, mut b) = match b.strip_prefix(b":") {
            Some(r) => digits(r, 2)?,
            None => (0, b),
        };
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        if let Some(r) = b.strip_prefix(b".") {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            b = r.get(n..).unwrap_or_default();
        }
        let offset: i64 = match b {
            b"" | b"Z" | b"z" => 0,
            [sign @ (b'+' | b'-'), rest @ ..] => {
                let (oh, r) = digits(rest, 2)?;
                let r = r.strip_prefix(b":").unwrap_or(r);
                let (om, r) = digits(r, 2)?;
                if !r.is_empty() {
                    return None;
                }
                let o = (oh as i64) * 3600 + (om as i64) * 60;
                if *sign == b'+' { o } else { -o }
            }
            _ => return None,
        };
        Some(Timestamp(
            days * 86_400 + h as i64 * 3600 + mi as i64 * 60 + sec as i64 - offset,
        ))
    }

    /// Parse a date as IAM reads it in a `Date*` condition: epoch seconds (a 64-bit integer), or ISO 8601
    /// with a partial date (`2024`, `2024-01`), `t` or `T`, an hour of one or two digits, fractions of up to
    /// nine digits, and `Z` or a `±HH`, `±HHMM` or `±HH:MM` offset. This is the one grammar both the validator
    /// (`INVALID_CONDITION_DATE`) and the evaluator use, so a date the validator accepts is a date the
    /// evaluator reads. Cases checked against what IAM accepts are in the tests below and in
    /// `validate/conditions.rs`.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date>
    pub fn parse_condition(s: &str) -> Option<Timestamp> {
        Instant::parse_condition(s).map(|i| Timestamp(i.secs))
    }

    /// The current time.
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp(secs)
    }

    /// Whole days from `self` to `later`.
    pub fn days_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(86_400)
    }

    /// `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

/// An instant as a `Date*` condition compares it: seconds since the Unix epoch and the fraction written, so
/// `2024-01-01T00:00:00Z` is before `2024-01-01T00:00:00.900Z` (whole seconds alone would call them equal, and a
/// `DateLessThan` Deny would not apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Whole seconds (the floor).
    pub secs: i64,
    /// Nanoseconds after `secs`.
    pub nanos: u32,
}

impl Instant {
    /// [`Timestamp::parse_condition`]'s grammar, keeping the fraction.
    pub fn parse_condition(s: &str) -> Option<Instant> {
        let v = s.trim();
        if v.is_empty() {
            return None;
        }
        let unsigned = v.strip_prefix('-').unwrap_or(v);
        if !unsigned.is_empty() && unsigned.bytes().all(|c| c.is_ascii_digit()) {
            return v.parse::<i64>().ok().map(|secs| Instant { secs, nanos: 0 });
        }
        let b = v.as_bytes();
        let (date, time) = match b.iter().position(|c| matches!(c, b't' | b'T')) {
            Some(i) => (b.get(..i)?, Some(b.get(i + 1..)?)),
            None => (b, None),
        };
        let (negative, date) = match date.strip_prefix(b"-") {
            Some(d) => (true, d),
            None => (false, date),
        };
        let mut parts = date.split(|c| *c == b'-');
        let year = number(parts.next()?, 1, 9)?;
        let month = match parts.next() {
            Some(m) => number(m, 1, 2).filter(|m| (1..=12).contains(m))?,
            None => 1,
        };
        let day = match parts.next() {
            Some(d) => number(d, 1, 2).filter(|d| (1..=31).contains(d))?,
            None => 1,
        };
        if parts.next().is_some() {
            return None;
        }
        let year = if negative { -year } else { year };
        let days = days_from_civil(year, month as u32, day as u32);
        let Some(time) = time.filter(|t| !t.is_empty()) else {
            return Some(Instant {
                secs: days * 86_400,
                nanos: 0,
            });
        };
        let (clock, offset) = if let Some(c) = time.strip_suffix(b"z").or(time.strip_suffix(b"Z")) {
            (c, 0)
        } else if let Some(i) = time.iter().rposition(|c| matches!(c, b'+' | b'-')) {
            let zone = time.get(i + 1..)?;
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] => (number(&[*h1, *h2], 2, 2)?, number(&[*m1, *m2], 2, 2)?),
                [h1, h2, m1, m2] => (number(&[*h1, *h2], 2, 2)?, number(&[*m1, *m2], 2, 2)?),
                [h1, h2] => (number(&[*h1, *h2], 2, 2)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            (
                time.get(..i)?,
                if time.get(i) == Some(&b'-') { -o } else { o },
            )
        } else {
            (time, 0)
        };
        let (hms, nanos) = match clock.iter().position(|c| *c == b'.') {
            Some(i) => {
                let frac = clock.get(i + 1..)?;
                let n = number(frac, 1, 9)?;
                // `.9` is 900,000,000 ns: scaled to nine digits.
                let scale = 10i64.pow(9 - frac.len() as u32);
                (clock.get(..i)?, u32::try_from(n * scale).ok()?)
            }
            None => (clock, 0),
        };
        let mut it = hms.split(|c| *c == b':');
        let h = number(it.next()?, 1, 2).filter(|h| *h <= 24)?;
        let m = match it.next() {
            Some(m) => number(m, 2, 2).filter(|m| *m <= 59)?,
            None => 0,
        };
        let sec = match it.next() {
            Some(x) => number(x, 2, 2).filter(|x| *x <= 60)?,
            None => 0,
        };
        if it.next().is_some() {
            return None;
        }
        Some(Instant {
            secs: days * 86_400 + h * 3600 + m * 60 + sec - offset,
            nanos,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_aws_spellings() {
        let a = Timestamp::parse("2023-03-09T10:41:49Z").unwrap();
        let b = Timestamp::parse("2023-03-09 10:41:49+00:00").unwrap();
        let c = Timestamp::parse("2023-03-09T12:41:49.123+02:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.0, 1_678_358_509);
        assert_eq!(a.to_string(), "2023-03-09T10:41:49Z");
        assert_eq!(Timestamp::parse("1970-01-01").unwrap().0, 0);
        assert_eq!(Timestamp::parse("1969-12-31T23:59:59Z").unwrap().0, -1);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2023-13-01",
            "2023-03-09T25:00:00Z",
            "2023-03-09X10:00",
            "20230309",
            "2023-03-09T10:41:49+0",
        ] {
            assert!(Timestamp::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn condition_dates() {
        let t = |s: &str| Timestamp::parse_condition(s).map(|t| t.0);
        assert_eq!(t("2024-01"), Timestamp::parse("2024-01-01").map(|t| t.0));
        // Digits alone are epoch seconds, not a year.
        assert_eq!(t("2024"), Some(2024));
        assert_eq!(t("2024T"), Timestamp::parse("2024-01-01").map(|t| t.0));
        assert_eq!(t("2019-07-01T13:20:15Z"), Some(1_561_987_215));
        assert_eq!(t("2019-07-01T15:20:15+02:00"), Some(1_561_987_215));
        assert_eq!(t("2019-07-01T15:20:15+0200"), Some(1_561_987_215));
        assert_eq!(t("2019-07-01t11:20:15.5-02"), Some(1_561_987_215));
        assert_eq!(t("1700000000"), Some(1_700_000_000));
        assert_eq!(t("-5"), Some(-5));
        assert_eq!(t("01T"), Some(days_from_civil(1, 1, 1) * 86_400));
        for bad in [
            "",
            "2024-01-01T00:00:00+1é2",
            "2024-01-01T00:00:00+1\u{e9}",
            "é",
            "2024-13",
            "2024-01-01T1:5",
            "9223372036854775808",
            "2016-12-13t2:00:00.1999999999+10:59",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 18_000, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}

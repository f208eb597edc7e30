//! Simulation time: an integer count of milliseconds since the scenario start, advanced only by
//! the engine. Wall clocks never reach the simulation; the UI maps frames to sim time itself.
//!
//! This module also converts between `SimTime` and the ISO-8601 strings AWS puts in responses
//! and events, and parses the durations scenarios use (`"90s"`, `"10m"`, `"1h30m"`).

use std::fmt;

/// Milliseconds since the scenario start.
pub type SimTime = u64;

pub const MS_PER_SECOND: u64 = 1_000;
pub const MS_PER_MINUTE: u64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: u64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// The longest duration a scenario may name: 366 days. Longer runs are not what the playground is
/// for, and the bound keeps every sum of times far from overflow.
pub const DURATION_MS_MAX: u64 = 366 * MS_PER_DAY;

/// The years a timestamp may name (a scenario's `start`, a CQL date): from the Unix epoch to
/// the last year ISO-8601 writes with four digits. The bound keeps every millisecond count,
/// and every sum of one with a duration, far inside `i64`.
pub const TIMESTAMP_YEARS: std::ops::RangeInclusive<i64> = 1970..=9999;

/// A duration string that did not parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `"90s"`, `"10m"`, `"2h"`, `"1h30m"`, `"1d2h"`, `"250ms"` or a bare number of
/// milliseconds (`"1500"`). Units must run from largest to smallest, each at most once.
pub fn parse_duration(text: &str) -> Result<u64, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError(
            "empty duration: expected e.g. \"90s\", \"10m\" or \"1h30m\"".into(),
        ));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return check_bound(text.parse::<u64>().map_err(|_| too_long(text))?, text);
    }
    // Units in the only order they may appear, largest first.
    const UNITS: [(&str, u64); 5] = [
        ("d", MS_PER_DAY),
        ("h", MS_PER_HOUR),
        ("m", MS_PER_MINUTE),
        ("s", MS_PER_SECOND),
        ("ms", 1),
    ];
    let mut rest = text;
    let mut total_ms: u64 = 0;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError(format!(
                "invalid duration {text:?}: expected a number before {rest:?}"
            )));
        }
        let value: u64 = rest[..digits].parse().map_err(|_| too_long(text))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(DurationError(format!(
                "invalid duration {text:?}: unknown unit {unit:?} (use d, h, m, s or ms)"
            )));
        };
        if index < next_unit {
            return Err(DurationError(format!(
                "invalid duration {text:?}: units must go from largest to smallest, each once"
            )));
        }
        next_unit = index + 1;
        let part = value
            .checked_mul(UNITS[index].1)
            .ok_or_else(|| too_long(text))?;
        total_ms = total_ms.checked_add(part).ok_or_else(|| too_long(text))?;
    }
    check_bound(total_ms, text)
}

fn too_long(text: &str) -> DurationError {
    DurationError(format!(
        "duration {text:?} is longer than the limit of 366 days"
    ))
}

/// A duration given as a JSON number of milliseconds, held to the same limit as a string.
pub fn duration_from_ms(ms: u64) -> Result<u64, DurationError> {
    check_bound(ms, &ms.to_string())
}

fn check_bound(ms: u64, text: &str) -> Result<u64, DurationError> {
    if ms > DURATION_MS_MAX {
        Err(too_long(text))
    } else {
        Ok(ms)
    }
}

/// Formats a duration the way scenarios write it: `"1h30m"`, `"90s"` becomes `"1m30s"`.
pub fn format_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [
        ("d", MS_PER_DAY),
        ("h", MS_PER_HOUR),
        ("m", MS_PER_MINUTE),
        ("s", MS_PER_SECOND),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 {
        out.push_str(&format!("{rest}ms"));
    }
    out
}

/// The sim clock as the UI shows it: `HH:MM:SS` since the start, with days when past 24 hours.
pub fn format_clock(ms: SimTime) -> String {
    let seconds = ms / MS_PER_SECOND;
    let (days, h, m, s) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if days > 0 {
        format!("{days}d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Milliseconds since the Unix epoch for an ISO-8601 UTC timestamp of the forms AWS and the
/// scenario format use: `2026-01-01T00:00:00Z`, with optional fractional seconds, or a bare date.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let bad = || format!("invalid timestamp {text:?}: expected e.g. \"2026-01-01T00:00:00Z\"");
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let month: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let day: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if !TIMESTAMP_YEARS.contains(&year) {
        return Err(format!(
            "invalid timestamp {text:?}: the year must be from {} to {}",
            TIMESTAMP_YEARS.start(),
            TIMESTAMP_YEARS.end()
        ));
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY as i64;
    if let Some(time) = time {
        let time = time
            .strip_suffix('Z')
            .or_else(|| time.strip_suffix("+00:00"))
            .ok_or_else(bad)?;
        let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut fields = hms.splitn(3, ':').map(|p| p.parse::<u32>().ok());
        let (Some(Some(h)), Some(Some(m)), Some(Some(s))) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(bad());
        };
        if h > 23 || m > 59 || s > 59 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let millis: u32 = format!("{fraction:0<3}")[..3].parse().map_err(|_| bad())?;
        ms += (i64::from(h) * 3_600 + i64::from(m) * 60 + i64::from(s)) * 1_000 + i64::from(millis);
    }
    Ok(ms)
}

/// `2026-01-01T00:10:00.000Z` for milliseconds since the Unix epoch.
pub fn format_timestamp(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(MS_PER_DAY as i64);
    let ms_of_day = epoch_ms.rem_euclid(MS_PER_DAY as i64);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1_000 % 60,
        ms_of_day % 1_000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_aws_units() {
        let cases: &[(&str, u64)] = &[
            ("90s", 90_000),
            ("10m", 600_000),
            ("2h", 7_200_000),
            ("1h30m", 5_400_000),
            ("1d2h", 93_600_000),
            ("250ms", 250),
            ("1m30s500ms", 90_500),
            ("1500", 1_500),
            ("0s", 0),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_duration(text), Ok(*ms), "{text}");
        }
    }

    #[test]
    fn malformed_durations_say_what_was_expected() {
        for text in ["", "s", "10x", "30m1h", "1h1h", "-5s", "1.5h", "367d"] {
            let err = parse_duration(text).expect_err(text);
            assert!(!err.0.is_empty(), "{text}");
        }
        assert!(parse_duration("10x")
            .unwrap_err()
            .0
            .contains("unknown unit \"x\""));
        assert!(parse_duration("30m1h")
            .unwrap_err()
            .0
            .contains("largest to smallest"));
    }

    #[test]
    fn durations_format_back() {
        assert_eq!(format_duration(90_000), "1m30s");
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(1_250), "1s250ms");
        assert_eq!(format_clock(3_723_000), "01:02:03");
        assert_eq!(format_clock(MS_PER_DAY + 1_000), "1d 00:00:01");
    }

    #[test]
    fn timestamps_round_trip() {
        let start = parse_timestamp("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(start, 1_767_225_600_000);
        assert_eq!(
            format_timestamp(start + 600_000),
            "2026-01-01T00:10:00.000Z"
        );
        assert_eq!(
            parse_timestamp("2024-02-29").unwrap() % MS_PER_DAY as i64,
            0
        );
        assert_eq!(
            format_timestamp(parse_timestamp("2024-02-29T23:59:59.5Z").unwrap()),
            "2024-02-29T23:59:59.500Z"
        );
        for bad in [
            "2026-13-01",
            "2025-02-29",
            "2026-01-01T25:00:00Z",
            "2026-01-01T00:00:00+02:00",
            "soon",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }
}

//! Scheduled actions' schedules (aws-facts 6.4): `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)`
//! and six-field `cron(minutes hours day-of-month month day-of-week year)`, read in a time zone
//! (`Timezone`, UTC when none) with its daylight saving time. The zones are a table of the ones
//! the model knows ([`ZONES`]), each with its standard offset and its DST rule; any other IANA
//! name is refused by name.

use crate::engine::time::{civil_from_days, days_from_civil};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// How far ahead the next time of a cron schedule is looked for (a year and a day).
const SEARCH_DAYS: i64 = 367;

/// A daylight saving time rule: when summer time starts and ends, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dst {
    None,
    /// The United States: from the second Sunday of March at 02:00 local standard time to the
    /// first Sunday of November at 02:00 local summer time.
    UnitedStates,
    /// The European Union and the United Kingdom: from the last Sunday of March at 01:00 UTC
    /// to the last Sunday of October at 01:00 UTC.
    Europe,
    /// Australia's south-east: from the first Sunday of October at 02:00 local standard time
    /// to the first Sunday of April at 03:00 local summer time.
    AustraliaSouthEast,
}

/// The time zones the model knows: IANA name, standard offset in minutes east of UTC, DST
/// rule. `Etc/GMT+N` (N hours west, POSIX's inverted sign) and `Etc/GMT-N` are read from the
/// name.
pub const ZONES: [(&str, i64, Dst); 16] = [
    ("UTC", 0, Dst::None),
    ("Etc/UTC", 0, Dst::None),
    ("America/New_York", -300, Dst::UnitedStates),
    ("America/Chicago", -360, Dst::UnitedStates),
    ("America/Denver", -420, Dst::UnitedStates),
    ("America/Los_Angeles", -480, Dst::UnitedStates),
    ("America/Sao_Paulo", -180, Dst::None),
    ("Europe/London", 0, Dst::Europe),
    ("Europe/Dublin", 0, Dst::Europe),
    ("Europe/Paris", 60, Dst::Europe),
    ("Europe/Berlin", 60, Dst::Europe),
    ("Asia/Kolkata", 330, Dst::None),
    ("Asia/Singapore", 480, Dst::None),
    ("Asia/Tokyo", 540, Dst::None),
    ("Australia/Sydney", 600, Dst::AustraliaSouthEast),
    ("Pacific/Tahiti", -600, Dst::None),
];

/// A zone's standard offset (ms east of UTC) and rule, if the model knows it.
pub fn zone(name: &str) -> Option<(i64, Dst)> {
    if let Some(hours) = name.strip_prefix("Etc/GMT") {
        let hours: i64 = if hours.is_empty() {
            0
        } else {
            hours.parse().ok()?
        };
        if !(-14..=12).contains(&hours) {
            return None;
        }
        return Some((-hours * HOUR_MS, Dst::None));
    }
    (ZONES.iter())
        .find(|(n, _, _)| *n == name)
        .map(|&(_, minutes, dst)| (minutes * MINUTE_MS, dst))
}

/// The epoch day of the `n`-th (1-based) `weekday` (0 Sunday) of `month`, or the last with
/// `n` = 0.
fn nth_weekday(year: i64, month: u32, weekday: i64, n: i64) -> i64 {
    let weekday_of = |day: i64| (day + 4).rem_euclid(7); // 1970-01-01 was a Thursday.
    if n == 0 {
        let next_month = if month == 12 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, month + 1, 1)
        };
        let last = next_month - 1;
        return last - (weekday_of(last) - weekday).rem_euclid(7);
    }
    let first = days_from_civil(year, month, 1);
    first + (weekday - weekday_of(first)).rem_euclid(7) + (n - 1) * 7
}

/// The offset (ms east of UTC) of a zone at instant `utc` (epoch ms).
pub fn offset_at(standard: i64, dst: Dst, utc: i64) -> i64 {
    let (year, _, _) = civil_from_days(utc.div_euclid(DAY_MS));
    let summer = match dst {
        Dst::None => return standard,
        Dst::UnitedStates => {
            let start = nth_weekday(year, 3, 0, 2) * DAY_MS + 2 * HOUR_MS - standard;
            let end = nth_weekday(year, 11, 0, 1) * DAY_MS + 2 * HOUR_MS - (standard + HOUR_MS);
            utc >= start && utc < end
        }
        Dst::Europe => {
            let start = nth_weekday(year, 3, 0, 0) * DAY_MS + HOUR_MS;
            let end = nth_weekday(year, 10, 0, 0) * DAY_MS + HOUR_MS;
            utc >= start && utc < end
        }
        Dst::AustraliaSouthEast => {
            // Summer spans the new year: outside April's end and October's start.
            let end = nth_weekday(year, 4, 0, 1) * DAY_MS + 3 * HOUR_MS - (standard + HOUR_MS);
            let start = nth_weekday(year, 10, 0, 1) * DAY_MS + 2 * HOUR_MS - standard;
            utc < end || utc >= start
        }
    };
    if summer {
        standard + HOUR_MS
    } else {
        standard
    }
}

/// One field of a cron expression: the values it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    allowed: Vec<bool>,
    any: bool,
}

impl Field {
    fn has(&self, value: u32) -> bool {
        self.allowed.get(value as usize).copied().unwrap_or(false)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Field,
    hours: Field,
    day_of_month: Field,
    month: Field,
    /// 1 Sunday to 7 Saturday, as AWS's cron counts.
    day_of_week: Field,
    year: Option<Field>,
    years_from: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// A local date and time, once.
    At(i64, u32, u32, u32, u32, u32),
    /// Every so many ms, from the action's start (or its creation).
    Rate(i64),
    Cron(Box<Cron>),
}

fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<Field, String> {
    let mut allowed = vec![false; max as usize + 1];
    if text == "*" || text == "?" {
        for v in min..=max {
            allowed[v as usize] = true;
        }
        return Ok(Field { allowed, any: true });
    }
    let value = |t: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(t)) {
            return Ok(min + i as u32);
        }
        t.parse::<u32>()
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| format!("'{t}' is not a value from {min} to {max}"))
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("'{s}' is not a step"))?,
            ),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, max),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(format!("'{range}' runs backwards"));
        }
        let mut v = from;
        while v <= to {
            allowed[v as usize] = true;
            v += step;
        }
    }
    Ok(Field {
        allowed,
        any: false,
    })
}

/// Reads a schedule expression; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<Schedule, String> {
    let inner = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|t| t.strip_suffix(')'))
            .map(str::trim)
    };
    if let Some(at) = inner("at(") {
        let epoch = crate::engine::time::parse_timestamp(&format!("{at}Z"))
            .map_err(|_| format!("'{at}' is not a date and time yyyy-mm-ddThh:mm:ss"))?;
        let days = epoch.div_euclid(DAY_MS);
        let (y, mo, d) = civil_from_days(days);
        let ms = epoch.rem_euclid(DAY_MS);
        return Ok(Schedule::At(
            y,
            mo,
            d,
            (ms / HOUR_MS) as u32,
            ((ms % HOUR_MS) / MINUTE_MS) as u32,
            ((ms % MINUTE_MS) / 1000) as u32,
        ));
    }
    if let Some(rate) = inner("rate(") {
        let (value, unit) = rate
            .split_once(' ')
            .ok_or("a rate is 'value unit', e.g. rate(5 minutes)")?;
        let value: i64 = value
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or("a rate's value is a whole number above 0")?;
        let unit_ms = match unit {
            "minute" | "minutes" => MINUTE_MS,
            "hour" | "hours" => HOUR_MS,
            "day" | "days" => DAY_MS,
            other => {
                return Err(format!(
                    "'{other}' is not a unit: minute(s), hour(s) or day(s)"
                ))
            }
        };
        if (value == 1) == unit.ends_with('s') {
            return Err(format!(
                "'{rate}': the unit is singular for 1 and plural for more"
            ));
        }
        return Ok(Schedule::Rate(value * unit_ms));
    }
    if let Some(cron) = inner("cron(") {
        let fields: Vec<&str> = cron.split_whitespace().collect();
        let fields: Vec<&str> = match fields.len() {
            6 => fields,
            // Seven fields: seconds first (accepted, at the minute's resolution).
            7 => fields[1..].to_vec(),
            n => return Err(format!("a cron expression has six fields, not {n}")),
        };
        if fields.iter().any(|f| {
            f.contains(['L', 'W', '#'])
                && !f
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || c == ',' || c == '-')
        }) {
            return Err("L, W and # are not simulated in cron expressions".into());
        }
        const MONTHS: [&str; 12] = [
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ];
        const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        let year = if fields[5] == "*" || fields[5] == "?" {
            None
        } else {
            Some(field(fields[5], 0, 199, &[]).or_else(|_| {
                // Years are written whole: keep them from 1970 as 0.
                let shifted: String = fields[5]
                    .split(',')
                    .map(|p| {
                        p.split('-')
                            .map(|y| {
                                y.parse::<i64>()
                                    .map(|y| (y - 1970).to_string())
                                    .unwrap_or_else(|_| y.to_string())
                            })
                            .collect::<Vec<_>>()
                            .join("-")
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                field(&shifted, 0, 199, &[])
            })?)
        };
        let cron = Cron {
            minutes: field(fields[0], 0, 59, &[])?,
            hours: field(fields[1], 0, 23, &[])?,
            day_of_month: field(fields[2], 1, 31, &[])?,
            month: field(fields[3], 1, 12, &MONTHS)?,
            day_of_week: field(fields[4], 1, 7, &DAYS)?,
            year,
            years_from: 1970,
        };
        if !cron.day_of_month.any && !cron.day_of_week.any {
            return Err("give either day-of-month or day-of-week, the other '?' or '*'".into());
        }
        return Ok(Schedule::Cron(Box::new(cron)));
    }
    Err(format!("'{text}' is not at(...), rate(...) or cron(...)"))
}

/// Whether local time `local` (epoch ms in the zone's wall clock) matches a cron schedule.
fn matches(cron: &Cron, local: i64) -> bool {
    let days = local.div_euclid(DAY_MS);
    let (y, mo, d) = civil_from_days(days);
    let ms = local.rem_euclid(DAY_MS);
    let (h, mi) = ((ms / HOUR_MS) as u32, ((ms % HOUR_MS) / MINUTE_MS) as u32);
    let weekday = ((days + 4).rem_euclid(7) + 1) as u32; // 1 Sunday
    cron.minutes.has(mi)
        && cron.hours.has(h)
        && cron.month.has(mo)
        && cron.day_of_month.has(d)
        && cron.day_of_week.has(weekday)
        && cron
            .year
            .as_ref()
            .is_none_or(|f| f.has((y - cron.years_from).clamp(0, 199) as u32))
}

/// The first time (epoch ms, UTC) after `after` that the schedule names, in zone `tz`
/// (standard offset and rule), from `origin` (a rate counts from it), before `end`.
pub fn next_after(
    schedule: &Schedule,
    (standard, dst): (i64, Dst),
    after: i64,
    origin: i64,
    end: Option<i64>,
) -> Option<i64> {
    let found = match schedule {
        Schedule::At(y, mo, d, h, mi, s) => {
            let local = days_from_civil(*y, *mo, *d) * DAY_MS
                + i64::from(*h) * HOUR_MS
                + i64::from(*mi) * MINUTE_MS
                + i64::from(*s) * 1000;
            // The wall-clock time in the zone: its offset then.
            let utc = local - offset_at(standard, dst, local - standard);
            (utc > after).then_some(utc)
        }
        Schedule::Rate(every) => {
            let n = (after - origin).div_euclid(*every) + 1;
            Some(origin + n.max(1) * every)
        }
        Schedule::Cron(cron) => {
            let mut t = (after.div_euclid(MINUTE_MS) + 1) * MINUTE_MS;
            let last = t + SEARCH_DAYS * DAY_MS;
            let mut found = None;
            while t < last {
                if matches(cron, t + offset_at(standard, dst, t)) {
                    found = Some(t);
                    break;
                }
                t += MINUTE_MS;
            }
            found
        }
    };
    found.filter(|t| end.is_none_or(|e| *t <= e))
}

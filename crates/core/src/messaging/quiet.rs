//! Quiet hours (M4, W 23.5): when a marketing message may reach a recipient, in the
//! recipient's local time, as data (`reference/quiet-hours.toml`, the one table).
//!
//! The allowed window is the intersection of every jurisdiction that applies (the terms
//! everywhere, the country, the state) and, where a number maps to several time zones, of
//! every zone: a send time is allowed only when it is inside the window in all of them.
//! The core holds no time-zone database: the caller resolves zone names (see
//! [`super::zones`]) to [`TimeZone`]s and passes them in.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;

/// The built-in table.
pub const BUILTIN_QUIET_HOURS: &str = include_str!("../../../../reference/quiet-hours.toml");
/// How many days ahead the first allowed minute is looked for (a week always has one).
pub const MAX_DEFER_DAYS: i64 = 8;
/// The jurisdiction that applies everywhere (the terms' own window).
pub const EVERYWHERE: &str = "*";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWindow {
    days: String,
    from: String,
    to: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJurisdiction {
    id: String,
    source: String,
    windows: Vec<FileWindow>,
    #[serde(default)]
    max_per_24h: Option<u32>,
    #[serde(default)]
    no_holidays: Option<String>,
    #[serde(default)]
    registration: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    jurisdiction: Vec<FileJurisdiction>,
}

/// One allowed window: the days it covers (bit `i` = `Weekday::to_monday_zero_offset() == i`)
/// and `[from, to)` in minutes of the local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: u8,
    pub from_min: u16,
    pub to_min: u16,
}

/// A jurisdiction's rules for marketing messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    /// `*`, an ISO 3166-1 country (`US`) or an ISO 3166-2 subdivision (`US-TX`).
    pub id: String,
    /// The statute or clause, for the decision's message.
    pub source: String,
    pub windows: Vec<Window>,
    pub max_per_24h: Option<u32>,
    /// US federal holidays are banned.
    pub no_us_holidays: bool,
    /// Marketing there needs a state telemarketer registration (M5, W 23.6).
    pub registration: bool,
}

impl Jurisdiction {
    fn allows(&self, local: jiff::civil::DateTime) -> bool {
        if self.no_us_holidays && is_us_federal_holiday(local.date()) {
            return false;
        }
        let bit = 1u8 << local.weekday().to_monday_zero_offset();
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.windows
            .iter()
            .any(|w| w.days & bit != 0 && w.from_min <= minute && minute < w.to_min)
    }
}

/// The quiet-hours table.
#[derive(Debug, Clone)]
pub struct QuietRules {
    pub version: String,
    pub jurisdictions: Vec<Jurisdiction>,
}

/// The answer for one send time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quiet {
    Allowed,
    /// Outside the window of `jurisdiction`; the first allowed minute, if one is within
    /// [`MAX_DEFER_DAYS`].
    Outside {
        jurisdiction: String,
        source: String,
        next_allowed: Option<i64>,
    },
}

fn parse_days(s: &str) -> Result<u8, String> {
    let day = |d: &str| -> Result<i8, String> {
        Ok(match d.trim() {
            "mon" => 0,
            "tue" => 1,
            "wed" => 2,
            "thu" => 3,
            "fri" => 4,
            "sat" => 5,
            "sun" => 6,
            other => return Err(format!("unknown day `{other}` (mon..sun)")),
        })
    };
    let mut bits = 0u8;
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(part)?, day(part)?),
        };
        if a > b {
            return Err(format!("day range `{part}` runs backwards"));
        }
        for d in a..=b {
            bits |= 1 << d;
        }
    }
    Ok(bits)
}

fn parse_minute(s: &str) -> Result<u16, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not HH:MM"))?;
    let (h, m): (u16, u16) = (
        h.parse().map_err(|_| format!("`{s}` is not HH:MM"))?,
        m.parse().map_err(|_| format!("`{s}` is not HH:MM"))?,
    );
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("`{s}` is not a time of day"));
    }
    Ok(h * 60 + m)
}

impl QuietRules {
    /// The built-in table; it is tested to parse.
    pub fn builtin() -> QuietRules {
        QuietRules::parse(BUILTIN_QUIET_HOURS).expect("reference/quiet-hours.toml parses")
    }

    pub fn parse(text: &str) -> Result<QuietRules, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut jurisdictions = Vec::with_capacity(f.jurisdiction.len());
        for j in f.jurisdiction {
            let mut windows = Vec::new();
            for w in &j.windows {
                let win = Window {
                    days: parse_days(&w.days).map_err(|e| format!("{}: {e}", j.id))?,
                    from_min: parse_minute(&w.from).map_err(|e| format!("{}: {e}", j.id))?,
                    to_min: parse_minute(&w.to).map_err(|e| format!("{}: {e}", j.id))?,
                };
                if win.from_min >= win.to_min {
                    return Err(format!("{}: window {}-{} is empty", j.id, w.from, w.to));
                }
                windows.push(win);
            }
            let no_us_holidays = match j.no_holidays.as_deref() {
                None => false,
                Some("us-federal") => true,
                Some(other) => return Err(format!("{}: unknown holidays `{other}`", j.id)),
            };
            if jurisdictions.iter().any(|x: &Jurisdiction| x.id == j.id) {
                return Err(format!("jurisdiction `{}` listed twice", j.id));
            }
            jurisdictions.push(Jurisdiction {
                id: j.id,
                source: j.source,
                windows,
                max_per_24h: j.max_per_24h,
                no_us_holidays,
                registration: j.registration,
            });
        }
        if !jurisdictions.iter().any(|j| j.id == EVERYWHERE) {
            return Err("the table must have the `*` jurisdiction (the terms' window)".into());
        }
        Ok(QuietRules {
            version: f.version,
            jurisdictions,
        })
    }

    /// The jurisdictions of a recipient in `country` and `region` (`US-TX`), the most
    /// specific first (a refusal names the stricter rule).
    pub fn applicable(&self, country: Option<&str>, region: Option<&str>) -> Vec<&Jurisdiction> {
        let mut js: Vec<(u8, &Jurisdiction)> = self
            .jurisdictions
            .iter()
            .filter_map(|j| {
                if Some(j.id.as_str()) == region {
                    Some((0, j))
                } else if Some(j.id.as_str()) == country {
                    Some((1, j))
                } else if j.id == EVERYWHERE {
                    Some((2, j))
                } else {
                    None
                }
            })
            .collect();
        js.sort_by_key(|(rank, _)| *rank);
        js.into_iter().map(|(_, j)| j).collect()
    }

    /// Whether a marketing message may be sent at `at` to a recipient in `zones` under the
    /// jurisdictions `js`; when not, the first allowed minute.
    pub fn check(&self, js: &[&Jurisdiction], zones: &[TimeZone], at: i64) -> Quiet {
        let Some(blocking) = first_blocking(js, zones, at) else {
            return Quiet::Allowed;
        };
        // The intersection of windows opens at the latest of their openings, which is one of
        // the window starts: try each start in each zone over the next days, earliest first.
        let mut candidates = Vec::new();
        for z in zones {
            let Ok(ts) = Timestamp::from_second(at) else {
                continue;
            };
            let today = ts.to_zoned(z.clone()).date();
            for d in 0..=MAX_DEFER_DAYS {
                let Ok(day) = today.checked_add(jiff::Span::new().days(d)) else {
                    continue;
                };
                for j in js {
                    for w in &j.windows {
                        let t = day.at((w.from_min / 60) as i8, (w.from_min % 60) as i8, 0, 0);
                        if let Ok(z) = t.to_zoned(z.clone()) {
                            let s = z.timestamp().as_second();
                            if s > at {
                                candidates.push(s);
                            }
                        }
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let next_allowed = candidates
            .into_iter()
            .find(|&c| first_blocking(js, zones, c).is_none());
        Quiet::Outside {
            jurisdiction: blocking.id.clone(),
            source: blocking.source.clone(),
            next_allowed,
        }
    }
}

/// The first jurisdiction whose window does not hold `at` in one of `zones`; `None` when every
/// one holds it in all of them. No zone at all: nothing can be checked, so nothing is allowed
/// (the caller refuses a recipient whose zone it cannot tell).
fn first_blocking<'a>(
    js: &[&'a Jurisdiction],
    zones: &[TimeZone],
    at: i64,
) -> Option<&'a Jurisdiction> {
    let ts = Timestamp::from_second(at).ok()?;
    if zones.is_empty() {
        return js.first().copied();
    }
    for z in zones {
        let local = ts.to_zoned(z.clone()).datetime();
        if let Some(j) = js.iter().find(|j| !j.allows(local)) {
            return Some(j);
        }
    }
    None
}

/// The US federal holidays (5 U.S.C. 6103) on their dates and on the weekday they are observed
/// (a Saturday holiday is observed on the Friday before, a Sunday one on the Monday after).
pub fn is_us_federal_holiday(d: Date) -> bool {
    let observed_of = |h: Date| -> Date {
        match h.weekday() {
            Weekday::Saturday => h.yesterday().unwrap_or(h),
            Weekday::Sunday => h.tomorrow().unwrap_or(h),
            _ => h,
        }
    };
    let y = d.year();
    let nth = |month: i8, wd: Weekday, n: i8| -> Option<Date> {
        jiff::civil::date(y, month, 1)
            .nth_weekday_of_month(n, wd)
            .ok()
    };
    let fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)];
    for (m, day) in fixed {
        let h = jiff::civil::date(y, m, day);
        if d == h || d == observed_of(h) {
            return true;
        }
    }
    // New Year's Day of the next year observed on 31 December.
    if d.month() == 12 && d.day() == 31 && d.weekday() == Weekday::Friday {
        return true;
    }
    [
        nth(1, Weekday::Monday, 3),    // Martin Luther King Jr. Day
        nth(2, Weekday::Monday, 3),    // Washington's Birthday
        nth(5, Weekday::Monday, -1),   // Memorial Day
        nth(9, Weekday::Monday, 1),    // Labor Day
        nth(10, Weekday::Monday, 2),   // Columbus Day
        nth(11, Weekday::Thursday, 4), // Thanksgiving Day
    ]
    .into_iter()
    .flatten()
    .any(|h| h == d)
}

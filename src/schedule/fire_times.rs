//! Next fire times: Quartz's `CronExpression` with a zero seconds field, in UTC; a rate
//! counts from the time asked about; `at()` is its one time, read in UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

use super::cron::{Days, MonthDays, WeekDays};
use super::{Cron, Schedule, LAST_YEAR};

impl Schedule {
    /// The first fire time strictly after `after`.
    ///
    /// A rate schedule has no fixed phase (EventBridge starts it when the rule is created),
    /// so its times are counted from `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Cron(cron) => cron.next_after(after),
            Schedule::Rate(rate) => truncate_to_minute(after).checked_add_signed(rate.interval()),
            Schedule::At(wall) => Some(Utc.from_utc_datetime(wall)).filter(|t| *t > after),
        }
    }

    /// The shortest time between two of the next `count` fire times after `after` (none for
    /// a schedule that fires once).
    pub fn shortest_gap(&self, after: DateTime<Utc>, count: usize) -> Option<Duration> {
        let runs = self.upcoming(after, count);
        runs.windows(2).map(|pair| pair[1] - pair[0]).min()
    }

    /// Up to `count` successive fire times after `after`; fewer when the schedule ends.
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        std::iter::successors(self.next_after(after), |t| self.next_after(*t))
            .take(count)
            .collect()
    }
}

impl Cron {
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = truncate_to_minute(after).checked_add_signed(Duration::minutes(1))?;
        let (sy, sm, sd) = (start.year(), start.month() as i32, start.day() as i32);
        let (sh, smin) = (start.hour() as i32, start.minute() as i32);
        for y in self.years.from(sy, LAST_YEAR) {
            let first_month = if y == sy { sm } else { 1 };
            for m in self.months.from(first_month, 12) {
                let on_start_month = y == sy && m == sm;
                for d in self.days_of(y, m as u32) {
                    let d = d as i32;
                    if on_start_month && d < sd {
                        continue;
                    }
                    let on_start_day = on_start_month && d == sd;
                    let first_hour = if on_start_day { sh } else { 0 };
                    for h in self.hours.from(first_hour, 23) {
                        let first_minute = if on_start_day && h == sh { smin } else { 0 };
                        if let Some(min) = self.minutes.from(first_minute, 59).next() {
                            return Utc
                                .with_ymd_and_hms(y, m as u32, d as u32, h as u32, min as u32, 0)
                                .single();
                        }
                    }
                }
            }
        }
        None
    }

    /// The days of month `m` of year `y` the expression fires on, ascending.
    fn days_of(&self, y: i32, m: u32) -> Vec<u32> {
        let last = days_in_month(y, m);
        let weekday = |d: u32| {
            NaiveDate::from_ymd_opt(y, m, d)
                .expect("day within month")
                .weekday()
                .number_from_sunday()
        };
        let nearest_weekday = |d: u32| match weekday(d) {
            7 if d == 1 => 3,
            7 => d - 1,
            1 if d == last => d - 2,
            1 => d + 1,
            _ => d,
        };
        match self.days {
            Days::OfMonth(MonthDays::Set(set)) => {
                (1..=last).filter(|d| set.contains(*d as i32)).collect()
            }
            Days::OfMonth(MonthDays::Last) => vec![last],
            Days::OfMonth(MonthDays::LastWeekday) => vec![nearest_weekday(last)],
            Days::OfMonth(MonthDays::NearestWeekday(n)) if n <= last => vec![nearest_weekday(n)],
            Days::OfMonth(MonthDays::NearestWeekday(_)) => vec![],
            Days::OfWeek(WeekDays::Set(set)) => (1..=last)
                .filter(|d| set.contains(weekday(*d) as i32))
                .collect(),
            Days::OfWeek(WeekDays::Last(w)) => (1..=last)
                .rev()
                .find(|d| weekday(*d) == w)
                .into_iter()
                .collect(),
            Days::OfWeek(WeekDays::Nth(w, k)) => (1..=last)
                .filter(|d| weekday(*d) == w)
                .nth(k as usize - 1)
                .into_iter()
                .collect(),
        }
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

pub(super) fn truncate_to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use crate::schedule::tests::at;
    use crate::schedule::Schedule;

    fn next(expr: &str, after: &str, n: usize) -> Vec<String> {
        Schedule::parse(expr)
            .unwrap()
            .upcoming(at(after), n)
            .iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect()
    }

    #[test]
    fn rate_counts_from_after() {
        assert_eq!(
            next("rate(6 hours)", "2026-11-25T07:43:20Z", 2),
            ["2026-11-25T13:43:00Z", "2026-11-25T19:43:00Z"]
        );
    }

    #[test]
    fn schedule_ends_with_its_years() {
        assert_eq!(
            next("0 0 1 1 ? 2027-2028", "2026-06-01T00:00:00Z", 5),
            ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]
        );
        assert!(next("0 0 1 1 ? 1999", "2026-06-01T00:00:00Z", 5).is_empty());
    }
}

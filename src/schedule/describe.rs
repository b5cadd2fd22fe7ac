//! Schedules in words, for people ("at 06:15 UTC every day").

use chrono::Timelike;

use super::field::{DAY_OF_WEEK, MONTH};
use super::{Cron, Schedule};

impl Schedule {
    /// The schedule in words, read in `zone` ("at 22:00 Europe/Berlin every day").
    pub fn describe_in(&self, zone: &str) -> String {
        self.describe().replace("UTC", zone)
    }

    /// The schedule in words, for people ("at 06:15 UTC every day").
    pub fn describe(&self) -> String {
        match self {
            Schedule::Rate(rate) => format!("every {rate}"),
            Schedule::Cron(cron) => cron.describe(),
            Schedule::At(wall) => {
                let time = if wall.second() == 0 {
                    "%H:%M"
                } else {
                    "%H:%M:%S"
                };
                format!(
                    "once, at {} UTC on {}",
                    wall.format(time),
                    wall.format("%Y-%m-%d")
                )
            }
        }
    }
}

impl Cron {
    fn describe(&self) -> String {
        let f: Vec<&str> = self.fields.split(' ').collect();
        let [minutes, hours, dom, month, dow, year] = f[..] else {
            return format!("cron({})", self.fields);
        };
        let number = |s: &str| s.parse::<u32>().ok();
        let step = |s: &str| {
            let (start, step) = s.split_once('/')?;
            let start = if start == "*" { 0 } else { start.parse().ok()? };
            Some((start, step.parse::<u32>().ok()?))
        };
        let time = match (number(minutes), number(hours), step(minutes), step(hours)) {
            (Some(m), Some(h), _, _) => format!("at {h:02}:{m:02} UTC"),
            (Some(m), None, _, Some((h, n))) => {
                format!("every {n} hours from {h:02}:{m:02} UTC")
            }
            (Some(m), None, _, None) if hours == "*" => format!("at minute {m} of every hour"),
            (None, _, Some((m, n)), _) if hours == "*" => {
                format!("every {n} minutes from minute {m}")
            }
            _ => format!("at minutes {minutes} of hours {hours} (UTC)"),
        };
        let day_name = |d: &str| {
            number(d)
                .and_then(|n| DAY_OF_WEEK.names.get(n as usize - 1).copied())
                .map_or(d.to_string(), str::to_string)
        };
        let ordinal = |n: &str| match n {
            "1" => "first".to_string(),
            "2" => "second".to_string(),
            "3" => "third".to_string(),
            "4" => "fourth".to_string(),
            "5" => "fifth".to_string(),
            other => format!("{other}th"),
        };
        let days = match (dom, dow) {
            ("*", "?") | ("?", "*") => "every day".to_string(),
            ("L", _) => "on the last day of the month".to_string(),
            ("LW", _) => "on the last weekday of the month".to_string(),
            (d, "?") if d.ends_with('W') => {
                format!("on the weekday nearest day {}", d.trim_end_matches('W'))
            }
            (d, "?") => format!("on day {d} of the month"),
            ("?", "L") => "on Saturdays".to_string(),
            ("?", w) if w.contains('#') => {
                let (d, k) = w.split_once('#').unwrap_or((w, "1"));
                format!("on the {} {} of the month", ordinal(k), day_name(d))
            }
            ("?", w) if w.ends_with('L') => {
                format!(
                    "on the last {} of the month",
                    day_name(w.trim_end_matches('L'))
                )
            }
            (_, w) => format!(
                "on {}",
                w.split(',')
                    .map(|part| part.split('-').map(day_name).collect::<Vec<_>>().join("-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut words = format!("{time} {days}");
        if month != "*" {
            let month_name = |m: &str| {
                number(m)
                    .and_then(|n| MONTH.names.get(n as usize - 1).copied())
                    .map_or(m.to_string(), str::to_string)
            };
            let months: Vec<String> = month
                .split(',')
                .map(|part| {
                    part.split('-')
                        .map(month_name)
                        .collect::<Vec<_>>()
                        .join("-")
                })
                .collect();
            words.push_str(&format!(", in {}", months.join(", ")));
        }
        if year != "*" {
            words.push_str(&format!(", in {year}"));
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::Schedule;

    #[test]
    fn in_words() {
        for (expression, words) in [
            ("0 0/6 * * ? *", "every 6 hours from 00:00 UTC every day"),
            ("15 6 * * ? *", "at 06:15 UTC every day"),
            ("0 12 ? * MON-FRI *", "at 12:00 UTC on MON-FRI"),
            ("0 8 ? * 2 *", "at 08:00 UTC on MON"),
            ("0 0 1 * ? *", "at 00:00 UTC on day 1 of the month"),
            (
                "0 12 LW * ? *",
                "at 12:00 UTC on the last weekday of the month",
            ),
            ("0 12 L * ? *", "at 12:00 UTC on the last day of the month"),
            (
                "0 12 15W * ? *",
                "at 12:00 UTC on the weekday nearest day 15",
            ),
            (
                "0 9 ? * 6#3 *",
                "at 09:00 UTC on the third FRI of the month",
            ),
            ("0 9 ? * 6L *", "at 09:00 UTC on the last FRI of the month"),
            ("0/15 * * * ? *", "every 15 minutes from minute 0 every day"),
            ("30 * * * ? *", "at minute 30 of every hour every day"),
            (
                "0 0 1 1 ? 2027-2029",
                "at 00:00 UTC on day 1 of the month, in JAN, in 2027-2029",
            ),
            ("rate(6 hours)", "every 6 hours"),
        ] {
            assert_eq!(
                Schedule::parse(expression).unwrap().describe(),
                words,
                "{expression}"
            );
        }
    }
}

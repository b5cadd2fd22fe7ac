//! `rate(N unit)`: a fixed interval from whenever the rule starts.

use chrono::Duration;
use fsx_drt_core::Invalid;

use super::MAX_RATE_DAYS;

/// `rate(value unit)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    value: u32,
    unit: RateUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RateUnit {
    Minute,
    Hour,
    Day,
}

impl RateUnit {
    fn per_day(self) -> i64 {
        match self {
            RateUnit::Minute => 24 * 60,
            RateUnit::Hour => 24,
            RateUnit::Day => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            RateUnit::Minute => "minute",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        }
    }
}

impl Rate {
    pub(super) fn parse(inner: &str) -> Result<Self, Invalid> {
        let syntax = "write rate(VALUE UNIT) with a whole VALUE of 1 or more and UNIT minute(s), hour(s) or day(s), e.g. rate(6 hours)";
        let parts: Vec<&str> = inner.split_whitespace().collect();
        let [value, unit] = parts[..] else {
            return Err(Invalid::new(
                format!("rate({inner}) is not a value and a unit"),
                syntax,
            ));
        };
        let number: u32 = match value.parse() {
            Ok(v) if v >= 1 => v,
            // More digits than a u32 holds is still a whole number, only too large (below).
            _ if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => u32::MAX,
            _ => {
                return Err(Invalid::new(
                    format!("the rate value {value} is not a whole number of 1 or more"),
                    syntax,
                ))
            }
        };
        let (singular, rate_unit) = match unit {
            "minute" => (true, RateUnit::Minute),
            "minutes" => (false, RateUnit::Minute),
            "hour" => (true, RateUnit::Hour),
            "hours" => (false, RateUnit::Hour),
            "day" => (true, RateUnit::Day),
            "days" => (false, RateUnit::Day),
            _ => {
                return Err(Invalid::new(
                    format!(
                    "{unit} is not a rate unit; EventBridge knows minute(s), hour(s) and day(s)"
                ),
                    syntax,
                ))
            }
        };
        let rate = Rate {
            value: number,
            unit: rate_unit,
        };
        if rate.interval() > Duration::days(MAX_RATE_DAYS) {
            return Err(Invalid::new(
                format!(
                    "rate({inner}) is longer than {MAX_RATE_DAYS} days (100 years); it would never fire"
                ),
                format!(
                    "give at most {} {}s, or a cron expression for rare runs",
                    MAX_RATE_DAYS * rate_unit.per_day(),
                    rate_unit.name()
                ),
            ));
        }
        if singular != (number == 1) {
            let right = if number == 1 {
                rate_unit.name().to_string()
            } else {
                format!("{}s", rate_unit.name())
            };
            return Err(Invalid::new(
                format!("EventBridge wants the singular unit for 1 and the plural otherwise, and rejects rate({value} {unit})"),
                format!("write rate({value} {right})"),
            ));
        }
        Ok(rate)
    }

    /// At most u32::MAX days: far inside what `Duration` holds.
    pub(super) fn interval(&self) -> Duration {
        Duration::minutes(i64::from(self.value) * 24 * 60 / self.unit.per_day())
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = if self.value == 1 { "" } else { "s" };
        write!(f, "{} {}{plural}", self.value, self.unit.name())
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::tests::at;
    use crate::schedule::Schedule;
    use chrono::{DateTime, Utc};

    #[test]
    fn rate_units_are_checked() {
        for bad in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(-1 hours)",
            "rate(5 weeks)",
            "rate(5)",
            "rate(five minutes)",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Schedule::parse("rate(1 minutes)").unwrap_err()[0].fix,
            "write rate(1 minute)"
        );
    }

    #[test]
    fn rates_are_bounded_and_times_never_overflow() {
        for (too_long, most) in [
            ("rate(36501 days)", "36500 days"),
            ("rate(876001 hours)", "876000 hours"),
            ("rate(52560001 minutes)", "52560000 minutes"),
            ("rate(4294967295 days)", "36500 days"),
            ("rate(99999999999 days)", "36500 days"),
            ("rate(99999999999999999999999 day)", "36500 days"),
        ] {
            let problems = Schedule::parse(too_long).unwrap_err();
            assert!(
                problems[0].problem.contains("longer than 36500 days"),
                "{too_long}"
            );
            assert!(
                problems[0].fix.contains(most),
                "{too_long}: {}",
                problems[0].fix
            );
        }
        // The largest rate, from the last instant an --after can name: the times end, no panic.
        let rate = Schedule::parse("rate(36500 days)").unwrap();
        let last = at("9999-12-31T23:59:59Z");
        assert_eq!(rate.upcoming(last, 10_000).len(), 2_523);
        let cron = Schedule::parse("* * * * ? *").unwrap();
        assert!(cron.upcoming(DateTime::<Utc>::MAX_UTC, 5).is_empty());
        assert!(rate.upcoming(DateTime::<Utc>::MAX_UTC, 5).is_empty());
    }
}

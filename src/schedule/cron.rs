//! `cron(m h dom mon dow year)`: parsing the six fields into the values each one allows.

use fsx_drt_core::Invalid;

use super::field::{ValueSet, DAY_OF_MONTH, DAY_OF_WEEK, HOURS, MINUTES, MONTH, YEAR};

/// A parsed `cron(...)` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    /// The six fields, single-spaced and upper-case (as Quartz reads them).
    pub(super) fields: String,
    pub(super) minutes: ValueSet,
    pub(super) hours: ValueSet,
    pub(super) days: Days,
    pub(super) months: ValueSet,
    pub(super) years: ValueSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Days {
    /// Day-of-week is `?`.
    OfMonth(MonthDays),
    /// Day-of-month is `?`.
    OfWeek(WeekDays),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MonthDays {
    Set(ValueSet),
    /// `L`
    Last,
    /// `LW`
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WeekDays {
    /// Weekdays, 1 = Sunday ... 7 = Saturday.
    Set(ValueSet),
    /// `nL`: the last weekday n of the month.
    Last(u32),
    /// `n#k`: the k-th weekday n of the month.
    Nth(u32, u32),
}

impl Cron {
    /// Parses the six fields `minutes hours day-of-month month day-of-week year`.
    pub fn parse(text: &str) -> Result<Self, Vec<Invalid>> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err(vec![Invalid::new(
                format!(
                    "a cron expression has six fields (minutes hours day-of-month month day-of-week year); `{text}` has {}",
                    fields.len()
                ),
                if fields.len() == 5 {
                    "add the year field, usually *, e.g. 15 6 * * ? *"
                } else {
                    "write six fields separated by spaces, e.g. 15 6 * * ? * (06:15 UTC every day)"
                },
            )]);
        };
        let mut problems = Vec::new();
        let mut keep = |r: Result<ValueSet, Invalid>| match r {
            Ok(set) => Some(set),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        let minutes = keep(MINUTES.parse_set(minutes));
        let hours = keep(HOURS.parse_set(hours));
        let months = keep(MONTH.parse_set(month));
        let years = keep(YEAR.parse_set(year));
        let days = parse_days(dom, dow);
        let days = days.map_err(|mut e| problems.append(&mut e)).ok();
        match (minutes, hours, days, months, years) {
            (Some(minutes), Some(hours), Some(days), Some(months), Some(years))
                if problems.is_empty() =>
            {
                Ok(Cron {
                    fields: fields.join(" ").to_ascii_uppercase(),
                    minutes,
                    hours,
                    days,
                    months,
                    years,
                })
            }
            _ => Err(problems),
        }
    }
}

fn parse_days(dom: &str, dow: &str) -> Result<Days, Vec<Invalid>> {
    let one_question = Invalid::new(
        format!("day-of-month `{dom}` and day-of-week `{dow}`: exactly one of them must be `?`"),
        "put ? in the field you don't use: `15 6 * * ? *` (every day) or `0 8 ? * MON *` (Mondays)",
    );
    match (dom == "?", dow == "?") {
        (true, true) | (false, false) => Err(vec![one_question]),
        (false, true) => parse_month_days(dom)
            .map(Days::OfMonth)
            .map_err(|e| vec![e]),
        (true, false) => parse_week_days(dow).map(Days::OfWeek).map_err(|e| vec![e]),
    }
}

fn parse_month_days(text: &str) -> Result<MonthDays, Invalid> {
    let upper = text.to_ascii_uppercase();
    if upper == "L" {
        return Ok(MonthDays::Last);
    }
    if upper == "LW" {
        return Ok(MonthDays::LastWeekday);
    }
    if upper.contains(['L', 'W']) {
        let day = upper
            .strip_suffix('W')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let Some(day) = day else {
            return Err(DAY_OF_MONTH.invalid(
                text,
                "L, LW and nW stand alone in the day-of-month field (no lists, ranges or offsets)",
            ));
        };
        return Ok(MonthDays::NearestWeekday(
            DAY_OF_MONTH.value(day, text)? as u32
        ));
    }
    if upper.contains('?') {
        return Err(DAY_OF_MONTH.invalid(text, "? stands alone"));
    }
    DAY_OF_MONTH.parse_set(text).map(MonthDays::Set)
}

fn parse_week_days(text: &str) -> Result<WeekDays, Invalid> {
    let upper = text.to_ascii_uppercase();
    if upper == "L" {
        // Quartz reads a bare L as the last day of the week: Saturday.
        return Ok(WeekDays::Set(DAY_OF_WEEK.parse_set("7")?));
    }
    if upper.contains('/') {
        return Err(DAY_OF_WEEK.invalid(text, "EventBridge allows no steps (/) in day-of-week"));
    }
    if let Some((day, nth)) = upper.split_once('#') {
        if day.contains([',', '-']) || nth.contains([',', '-', '#']) {
            return Err(DAY_OF_WEEK.invalid(
                text,
                "a # expression must be the only one in the field (3#1,6#3 is not allowed)",
            ));
        }
        let day = DAY_OF_WEEK.value(day, text)?;
        let nth: u32 = nth
            .parse()
            .ok()
            .filter(|n| (1..=5).contains(n))
            .filter(|_| nth.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                DAY_OF_WEEK.invalid(
                    text,
                    format!("the occurrence after # is 1 to 5, not `{nth}`"),
                )
            })?;
        return Ok(WeekDays::Nth(day as u32, nth));
    }
    if upper.contains('L') {
        let day = upper.strip_suffix('L').filter(|d| !d.contains([',', '-']));
        let Some(day) = day else {
            return Err(DAY_OF_WEEK.invalid(
                text,
                "nL (the last weekday n of the month) stands alone in the field",
            ));
        };
        return Ok(WeekDays::Last(DAY_OF_WEEK.value(day, text)? as u32));
    }
    if upper.contains('?') {
        return Err(DAY_OF_WEEK.invalid(text, "? stands alone"));
    }
    DAY_OF_WEEK.parse_set(text).map(WeekDays::Set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_problems_are_reported() {
        let problems = Cron::parse("60 24 * 13 ? 2300").unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}

//! `at(yyyy-mm-ddThh:mm:ss)`: EventBridge Scheduler's one-time schedule, a wall-clock time read
//! in the schedule's time zone.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use fsx_drt_core::Invalid;

const SYNTAX: &str = "write at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-06-01T09:00:00)";

/// Parses the text between `at(` and `)`: exactly `yyyy-mm-ddThh:mm:ss`, no offset (the
/// schedule's time zone says where the clock is).
pub(super) fn parse(inner: &str) -> Result<NaiveDateTime, Invalid> {
    let shape = |i: usize, b: u8| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    };
    let bytes = inner.as_bytes();
    if bytes.len() > 19 && bytes[..19].iter().enumerate().all(|(i, b)| shape(i, *b)) {
        return Err(Invalid::new(
            format!(
                "at({inner}) has `{}` after the time; an at() time takes no offset or fraction",
                &inner[19..]
            ),
            format!(
                "write at({}) and give the time zone as the schedule's time zone (e.g. --timezone Europe/Berlin)",
                &inner[..19]
            ),
        ));
    }
    if bytes.len() != 19 || !bytes.iter().enumerate().all(|(i, b)| shape(i, *b)) {
        return Err(Invalid::new(
            format!("at({inner}) is not a date and time as yyyy-mm-ddThh:mm:ss"),
            SYNTAX,
        ));
    }
    let number = |range: std::ops::Range<usize>| inner[range].parse::<u32>().unwrap_or(u32::MAX);
    let year = number(0..4) as i32;
    let (month, day) = (number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        Invalid::new(
            format!("at({inner}): {} is not a date", &inner[..10]),
            "give a day that exists in that month (01-12, 01-28/29/30/31)",
        )
    })?;
    let time = NaiveTime::from_hms_opt(hour, minute, second)
        .filter(|_| second < 60)
        .ok_or_else(|| {
            Invalid::new(
                format!("at({inner}): {} is not a time of day", &inner[11..]),
                "give hours 00-23, minutes 00-59 and seconds 00-59",
            )
        })?;
    Ok(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use crate::schedule::tests::at;
    use crate::schedule::Schedule;

    #[test]
    fn one_time_schedules_parse_word_and_render() {
        let once = Schedule::parse(" AT( 2026-06-01T09:00:00 ) ").unwrap();
        assert_eq!(once.expression(), "at(2026-06-01T09:00:00)");
        assert_eq!(once.describe(), "once, at 09:00 UTC on 2026-06-01");
        let with_seconds = Schedule::parse("at(2028-02-29T23:59:30)").unwrap();
        assert_eq!(
            with_seconds.describe(),
            "once, at 23:59:30 UTC on 2028-02-29"
        );
        assert_eq!(
            once.upcoming(at("2026-05-31T12:00:00Z"), 5),
            [at("2026-06-01T09:00:00Z")]
        );
        assert!(once.upcoming(at("2026-06-01T09:00:00Z"), 5).is_empty());
    }

    #[test]
    fn malformed_one_time_schedules_say_what_is_wrong() {
        for (bad, problem, fix) in [
            (
                "at(2026-06-01 09:00:00)",
                "is not a date and time",
                "at(yyyy-mm-ddThh:mm:ss)",
            ),
            (
                "at(2026-06-01T09:00)",
                "is not a date and time",
                "e.g. at(2026-06-01T09:00:00)",
            ),
            (
                "at(2026-6-1T09:00:00)",
                "is not a date and time",
                "at(yyyy-mm-ddThh:mm:ss)",
            ),
            ("at()", "is not a date and time", "at(yyyy-mm-ddThh:mm:ss)"),
            (
                "at(2026-06-01T09:00:00Z)",
                "`Z` after the time",
                "write at(2026-06-01T09:00:00)",
            ),
            (
                "at(2026-06-01T09:00:00+02:00)",
                "`+02:00` after",
                "--timezone",
            ),
            (
                "at(2026-06-01T09:00:00.5)",
                "no offset or fraction",
                "at(2026-06-01T09:00:00)",
            ),
            (
                "at(2026-02-29T09:00:00)",
                "2026-02-29 is not a date",
                "exists in that month",
            ),
            (
                "at(2026-13-01T09:00:00)",
                "2026-13-01 is not a date",
                "01-12",
            ),
            (
                "at(2026-06-01T24:00:00)",
                "24:00:00 is not a time of day",
                "hours 00-23",
            ),
            (
                "at(2026-06-01T23:59:60)",
                "23:59:60 is not a time of day",
                "seconds 00-59",
            ),
            (
                "at(2026-06-01T09:00:00",
                "at( is never closed",
                "end the expression with )",
            ),
        ] {
            let problems = Schedule::parse(bad).unwrap_err();
            assert_eq!(problems.len(), 1, "{bad}");
            assert!(
                problems[0].problem.contains(problem),
                "{bad}: {}",
                problems[0].problem
            );
            assert!(problems[0].fix.contains(fix), "{bad}: {}", problems[0].fix);
        }
    }
}

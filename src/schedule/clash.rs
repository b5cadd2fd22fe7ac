//! Two schedules of one file system due in the same minute: FSx runs one data repository
//! task at a time on a file system, so one of them will find the other running.

use chrono::{DateTime, Utc};

/// The first minute at which two of the named schedules' runs fall together, and their
/// names; each schedule's runs in any order.
pub fn first_clash<'a>(
    runs: &[(&'a str, Vec<DateTime<Utc>>)],
) -> Option<(DateTime<Utc>, &'a str, &'a str)> {
    let mut due: Vec<(DateTime<Utc>, &str)> = runs
        .iter()
        .flat_map(|(name, times)| times.iter().map(move |t| (*t, *name)))
        .collect();
    due.sort();
    let minute = |t: &DateTime<Utc>| t.timestamp().div_euclid(60);
    due.windows(2).find_map(|pair| {
        let ((a, first), (b, second)) = (pair[0], pair[1]);
        (minute(&a) == minute(&b) && first != second).then_some((a, first, second))
    })
}

/// [`first_clash`] in words.
pub fn clash_warning(runs: &[(&str, Vec<DateTime<Utc>>)]) -> Option<String> {
    first_clash(runs).map(|(at, first, second)| {
        format!(
            "{first} and {second} are both due at {} UTC; FSx runs one task at a time on a file system, so one of them will find the other running",
            at.format("%Y-%m-%d %H:%M")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_same_minute_of_two_schedules_is_a_clash() {
        let runs = [
            (
                "export",
                vec![at("2026-12-01T21:00:00Z"), at("2026-12-02T21:00:00Z")],
            ),
            (
                "import",
                vec![at("2026-12-01T20:59:00Z"), at("2026-12-02T21:00:30Z")],
            ),
        ];
        let (when, first, second) = first_clash(&runs).unwrap();
        assert_eq!(when, at("2026-12-02T21:00:00Z"));
        assert_eq!((first, second), ("export", "import"));
        // One schedule with itself, or a minute apart: none.
        let apart = [
            (
                "a",
                vec![at("2026-12-01T21:00:00Z"), at("2026-12-01T21:00:00Z")],
            ),
            ("b", vec![at("2026-12-01T21:01:00Z")]),
        ];
        assert_eq!(first_clash(&apart), None);
    }
}

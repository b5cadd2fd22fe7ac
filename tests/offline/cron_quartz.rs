//! Next fire times against Quartz itself: `tests/data/cron/quartz_vectors.json` was generated
//! by `tests/data/cron/generate.sh` from Debian's libquartz2-java (see its `provenance`).

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use fsx_drt::schedule::Schedule;
use serde_json::Value;

const VECTORS: &str = include_str!("../data/cron/quartz_vectors.json");

/// Quartz 2.3.2 fires `31W` on the 30th of a 30-day month whose 31st would (rolled over by
/// java.util.Calendar's leniency) be a Saturday: a Quartz bug. fsx-drt follows the documented
/// semantics ("the weekday nearest the 31st, within the month": no 31st, no run), so these
/// cases are checked to differ exactly there and nowhere else.
const QUARTZ_31W_BUG: &str = "0 0 31W * ? *";

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ours(expression: &str, after: &str, count: usize) -> Vec<String> {
    Schedule::parse(expression)
        .unwrap_or_else(|e| panic!("{expression}: {e:?}"))
        .upcoming(at(after), count)
        .iter()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .collect()
}

#[test]
fn next_fire_times_equal_quartz() {
    let vectors = vectors();
    let cases = vectors["cases"].as_array().unwrap();
    let mut expressions = std::collections::BTreeSet::new();
    let mut times = 0;
    let mut mismatches = Vec::new();
    for case in cases {
        let expression = case["expression"].as_str().unwrap();
        let after = case["after"].as_str().unwrap();
        let expected: Vec<String> = case["next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        if expression == QUARTZ_31W_BUG {
            continue;
        }
        expressions.insert(expression);
        times += expected.len();
        // Also through the cron(...) form, which must mean the same.
        for form in [expression.to_string(), format!("cron({expression})")] {
            let got = ours(&form, after, 5);
            if got != expected {
                mismatches.push(format!(
                    "{form} after {after}\n  quartz: {expected:?}\n  ours:   {got:?}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(expressions.len() >= 50, "{} expressions", expressions.len());
    assert!(times >= 250, "{times} fire times");
}

#[test]
fn the_quartz_31w_bug_is_the_only_difference() {
    let vectors = vectors();
    for case in vectors["cases"].as_array().unwrap() {
        if case["expression"] != QUARTZ_31W_BUG {
            continue;
        }
        let after = case["after"].as_str().unwrap();
        let quartz: Vec<&str> = case["next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let got = ours(QUARTZ_31W_BUG, after, 5);
        // Ours only ever fires on a 31st's nearest weekday, so on the 29th, 30th or 31st of
        // a 31-day month; Quartz's extra runs fall on the 30th of 30-day months.
        for t in &got {
            let date = at(t).date_naive();
            let last = date.with_day(31).is_some();
            assert!(last, "{t} is not in a 31-day month");
        }
        let quartz_in_long_months: Vec<&str> = quartz
            .iter()
            .copied()
            .filter(|t| at(t).date_naive().with_day(31).is_some())
            .collect();
        assert!(
            got.starts_with(
                &quartz_in_long_months
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
            ),
            "after {after}: quartz {quartz:?}, ours {got:?}"
        );
    }
}

#[test]
fn whatever_quartz_rejects_is_rejected() {
    let vectors = vectors();
    for entry in vectors["validity"].as_array().unwrap() {
        let expression = entry["expression"].as_str().unwrap();
        if entry["quartz_valid"] == false {
            assert!(
                Schedule::parse(expression).is_err(),
                "Quartz rejects {expression:?}, we accept it"
            );
        }
    }
}

/// EventBridge's grammar is narrower than Quartz's: these parse in Quartz (see `validity`)
/// or look plausible, but EventBridge rejects them, so fsx-drt does too.
#[test]
fn invalid_expressions() {
    for (expression, says) in [
        ("", "six fields"),
        ("* * * * ?", "add the year field"),
        ("0 0 1 * ? * *", "six fields"),
        ("0 0 ? * ? *", "exactly one of them must be `?`"),
        ("0 0 * * * *", "exactly one of them must be `?`"),
        ("0 0 1 * MON *", "exactly one of them must be `?`"),
        ("0 0 ? * 3#1,6#3 *", "only one in the field"),
        ("0 0 ? * 2#1,4 *", "only one in the field"),
        ("0 0 ? * 6L,2 *", "stands alone"),
        ("0 0 L,15 * ? *", "stand alone"),
        ("0 0 1W,15W * ? *", "stand alone"),
        ("0 0 L-3 * ? *", "stand alone"),
        ("60 * * * ? *", "outside 0-59"),
        ("* 24 * * ? *", "outside 0-23"),
        ("* * 32 * ? *", "outside 1-31"),
        ("* * 0 * ? *", "outside 1-31"),
        ("* * * 13 ? *", "outside 1-12"),
        ("* * ? * 8 *", "outside 1-7"),
        ("* * ? * 1#6 *", "1 to 5"),
        ("* * ? * 1#0 *", "1 to 5"),
        ("* * ? * 8L *", "outside 1-7"),
        ("* * 32W * ? *", "outside 1-31"),
        ("* * * * ? 1969", "outside 1970-2199"),
        ("* * * * ? 2200", "outside 1970-2199"),
        ("0 0 1 1 ? 2029-2027", "ends before it starts"),
        ("0/60 * * * ? *", "from 1 to 59"),
        ("0/0 * * * ? *", "from 1 to 59"),
        ("* 0/24 * * ? *", "from 1 to 23"),
        ("* * ? * 1/2 *", "no steps"),
        ("0 0 ? * MOND *", "`MOND` is not a value"),
        ("0 0 1 JANUARY ? *", "`JANUARY` is not a value"),
        (", * * * ? *", "empty list element"),
        ("-5 * * * ? *", "missing a number"),
        ("5- * * * ? *", "missing a number"),
        ("0 ? 1 * ? *", "only for day-of-month or day-of-week"),
        ("0 0 W * ? *", "stand alone"),
        ("cron(0 0 * * ? *", "never closed"),
        ("rate(1 minutes)", "singular"),
        ("rate(5 minute)", "singular"),
    ] {
        let problems = Schedule::parse(expression)
            .err()
            .unwrap_or_else(|| panic!("{expression:?} was accepted"));
        let text = format!("{problems:?}");
        assert!(text.contains(says), "{expression:?}: {text}");
    }
}

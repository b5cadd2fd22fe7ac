//! The definition's rules beyond each template parameter's own (those are
//! [`params::validate`]'s): schedule names, Scheduler's settings, and the whole.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use fsx_drt_core::Invalid;

use super::{
    iso8601, place, Definition, Draft, DraftSchedule, Extra, ScheduleSpec, MAX_SCHEDULES, SCHEDULES,
};
use crate::params::file::closest;
use crate::params::{self, Param, Parameters, Problem, Source};

/// The longest schedule name Scheduler takes.
pub const MAX_NAME_CHARS: usize = 64;
/// Scheduler's largest FlexibleTimeWindow, in minutes.
pub const MAX_FLEXIBLE_WINDOW_MINUTES: u32 = 1440;

/// A schedule name. Scheduler's `Name` allows `[0-9a-zA-Z-_.]{1,64}`; the definition takes
/// the stricter rule the issue gives, letters, digits and `-`, so a name is also usable in
/// resource names and logical ids derived from it.
pub fn validate_name(name: &str) -> Result<(), Invalid> {
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'));
    match (name.chars().count(), bad) {
        (0, _) => Err(Invalid::new(
            "a schedule's name is empty",
            "name it with letters, digits and -, e.g. nightly-export",
        )),
        (n, _) if n > MAX_NAME_CHARS => Err(Invalid::new(
            format!("the name is {n} characters long; Scheduler allows {MAX_NAME_CHARS}"),
            "shorten the name",
        )),
        (_, Some(c)) => Err(Invalid::new(
            format!("the name has {c:?}; a schedule's name has only letters, digits and -"),
            format!(
                "rename it, e.g. {}",
                name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            ),
        )),
        _ => Ok(()),
    }
}

/// An IANA time zone name, such as Europe/Berlin; close names are suggested.
pub fn parse_timezone(value: &str) -> Result<Tz, Invalid> {
    let value = value.trim();
    value.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| (tz.name(), vec![tz.name()]));
        let fix = match closest(value, names) {
            Some(name) => format!("did you mean {name}?"),
            None => "give an IANA zone name such as Europe/Berlin, America/New_York or UTC".into(),
        };
        Invalid::new(format!("{value} is not an IANA time zone"), fix)
    })
}

/// An instant as Scheduler's StartDate and EndDate take it: ISO 8601 with a zone
/// (2027-01-31T18:00:00Z, ...+01:00), or a date alone for its start in UTC.
pub fn parse_date(value: &str) -> Result<DateTime<Utc>, Invalid> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .map_err(|_| {
            Invalid::new(
                "not an ISO 8601 date and time",
                "write it as 2027-01-31T18:00:00Z (UTC), 2027-01-31T18:00:00+01:00, or 2027-01-31",
            )
        })
}

/// FlexibleWindowMinutes: 1 to 1440, or `off` (the default) for none.
pub fn parse_flexible_window(value: &str) -> Result<Option<u32>, Invalid> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(n) if (1..=MAX_FLEXIBLE_WINDOW_MINUTES).contains(&n) => Ok(Some(n)),
        _ => Err(Invalid::new(
            format!("Scheduler's flexible window is 1 to {MAX_FLEXIBLE_WINDOW_MINUTES} minutes"),
            "give a number of minutes from 1 to 1440, or remove the key (off)",
        )),
    }
}

pub fn parse_enabled(value: &str) -> Result<bool, Invalid> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Invalid::new(
            "Enabled is true or false",
            "write true or false",
        )),
    }
}

/// The time of a one-time `at(yyyy-mm-ddThh:mm:ss)` expression, in the schedule's zone;
/// `None` when the expression is no `at(...)` or its time is unreadable (the expression's own
/// parser says why).
pub fn at_time(expression: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = expression.trim();
    let head = text.get(..3)?;
    let inner = text[3..].strip_suffix(')')?;
    if !head.eq_ignore_ascii_case("at(") {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(inner.trim(), "%Y-%m-%dT%H:%M:%S").ok()?;
    Some(
        zone.from_local_datetime(&naive)
            .earliest()?
            .with_timezone(&Utc),
    )
}

/// Checks the whole draft and reports every problem, each named by its place.
pub fn validate(draft: &Draft, now: DateTime<Utc>) -> Result<Definition, Vec<Problem>> {
    let mut problems = draft.problems.clone();
    match draft.schedules.len() {
        0 => add(
            whole(
                "the definition has no schedules",
                "add one under Schedules: a name, then its TaskType, Paths and Schedule",
            ),
            &mut problems,
        ),
        n if n > MAX_SCHEDULES => add(
            whole(
                &format!("the definition has {n} schedules; one stack holds {MAX_SCHEDULES} at most"),
                "split the schedules over two stacks (one per file system is usual, so merge similar schedules first)",
            ),
            &mut problems,
        ),
        _ => {}
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut checked = Vec::new();
    for schedule in &draft.schedules {
        let name = schedule.name.as_str();
        // A flat definition's one schedule is named by --schedule-name (or is "default").
        let name_place = match draft.mapped {
            true => format!("{SCHEDULES}.{name}"),
            false => "--schedule-name".to_string(),
        };
        if let Err(invalid) = validate_name(name) {
            add(
                Problem::new(&name_place, Some(name), invalid),
                &mut problems,
            );
        }
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), name) {
            let invalid = Invalid::new(
                format!(
                    "{name} and {first} differ only in case; schedule names must differ in more"
                ),
                "rename one of them",
            );
            add(
                Problem::new(&name_place, Some(name), invalid),
                &mut problems,
            );
        }
        let (spec, found) = check_schedule(draft.mapped, schedule, now);
        for problem in found {
            add(problem, &mut problems);
        }
        checked.push(spec);
    }
    for problem in super::order::check(draft) {
        add(problem, &mut problems);
    }
    for (email, source) in &draft.more_emails {
        if let Err(invalid) = params::parse_email(email) {
            add(
                sourced(Param::EmailAddress.key(), email, source, invalid),
                &mut problems,
            );
        }
    }
    let specs: Vec<ScheduleSpec> = checked.iter().filter_map(|(_, s)| s.clone()).collect();
    let capacity_release = match super::capacity::check(&draft.capacity, &specs) {
        Ok(found) => found,
        Err(found) => {
            for problem in found {
                add(problem, &mut problems);
            }
            None
        }
    };
    let first = checked.first().and_then(|(p, _)| p.clone());
    match (first, problems.is_empty()) {
        (Some(first), true) => {
            let mut schedules: Vec<ScheduleSpec> =
                checked.into_iter().filter_map(|(_, s)| s).collect();
            schedules.sort_by(|a, b| a.name.cmp(&b.name));
            let more = draft.more_emails.iter().map(|(e, _)| e.trim().to_string());
            let emails = std::iter::once(first.email.clone()).chain(more);
            Ok(Definition {
                file_system_id: first.file_system_id.clone(),
                email_addresses: emails.filter(|e| !e.is_empty()).collect(),
                alarm_topic_arn: first.alarm_topic_arn.clone(),
                log_retention_days: first.log_retention_days,
                follow_up_cap: first.follow_up_cap,
                schedules,
                capacity_release,
            })
        }
        _ => Err(problems),
    }
}

type Checked = (Option<Parameters>, Option<ScheduleSpec>);

/// One schedule: its template parameters by their rules, then Scheduler's settings.
fn check_schedule(
    mapped: bool,
    schedule: &DraftSchedule,
    now: DateTime<Utc>,
) -> (Checked, Vec<Problem>) {
    let name = schedule.name.as_str();
    let mut problems = Vec::new();
    let parameters = params::validate(&schedule.values)
        .map_err(|found| {
            for mut problem in found {
                if Param::from_key(&problem.parameter).is_some_and(super::is_schedule_param) {
                    problem.parameter = place(mapped, name, &problem.parameter);
                }
                problems.push(problem);
            }
        })
        .ok();
    let mut settings = Settings {
        mapped,
        schedule,
        problems: &mut problems,
    };
    let timezone = settings.get(Extra::Timezone, Tz::UTC, parse_timezone);
    let start = settings.get(Extra::StartDate, None, |v| parse_date(v).map(Some));
    let end = settings.get(Extra::EndDate, None, |v| parse_date(v).map(Some));
    let window = settings.get(Extra::FlexibleWindowMinutes, None, parse_flexible_window);
    let enabled = settings.get(Extra::Enabled, true, parse_enabled);
    let after = settings.get(Extra::After, None, |v| {
        validate_name(v.trim()).map(|()| Some(v.trim().to_string()))
    });
    let max_defer = settings.get(Extra::MaxDeferMinutes, None, |v| {
        fsx_drt_core::deferral::parse_max_defer_minutes(v).map(Some)
    });
    if let (Some(Some(start)), Some(Some(end))) = (start, end) {
        if end <= start {
            let (text, source) = &schedule.extras[&Extra::EndDate];
            let invalid = Invalid::new(
                format!("EndDate is not after StartDate ({})", iso8601(&start)),
                "give an EndDate after the StartDate, or swap them",
            );
            let key = place(mapped, name, Extra::EndDate.key());
            problems.push(sourced(&key, text, source, invalid));
        }
    }
    // A one-time schedule read back from the stack stays as it is once it has run.
    let given = (schedule.values.get(Param::Schedule)).filter(|(_, s)| *s != Source::Stack);
    if let Some((text, source)) = given {
        if let Some(when) = at_time(text, timezone.unwrap_or(Tz::UTC)) {
            if when <= now {
                let invalid = Invalid::new(
                    format!(
                        "at() is a one-time schedule, and {} is past (it is now {})",
                        iso8601(&when),
                        iso8601(&now)
                    ),
                    "give a time still to come, or a cron(...) or rate(...) expression",
                );
                let key = place(mapped, name, Param::Schedule.key());
                problems.retain(|p| p.parameter != key);
                problems.push(sourced(&key, text, source, invalid));
            }
        }
    }
    let spec = match (
        &parameters,
        timezone,
        start,
        end,
        window,
        enabled,
        max_defer,
        after,
    ) {
        (
            Some(p),
            Some(timezone),
            Some(start),
            Some(end),
            Some(window),
            Some(enabled),
            Some(max_defer),
            Some(after),
        ) if problems.is_empty() => Some(ScheduleSpec {
            // Until its next run, at most a day, unless given (set below).
            name: name.to_string(),
            task_type: p.task_type,
            paths: p.paths.clone(),
            expression: p.schedule.clone(),
            timezone,
            report_path: p.report_path.clone(),
            release_after_days: p.release_after_days,
            start_date: start,
            end_date: end,
            flexible_window_minutes: window,
            enabled,
            max_defer_minutes: max_defer.unwrap_or(0),
            after,
        }),
        _ => None,
    };
    let spec = spec.map(|mut spec| {
        if max_defer == Some(None) {
            spec.max_defer_minutes = spec.shortest_gap(now).map_or(
                fsx_drt_core::deferral::MAX_BOUND_MINUTES,
                fsx_drt_core::deferral::default_bound,
            );
        }
        spec
    });
    ((parameters, spec), problems)
}

/// One schedule's Scheduler settings, read one by one, their problems reported.
struct Settings<'a> {
    mapped: bool,
    schedule: &'a DraftSchedule,
    problems: &'a mut Vec<Problem>,
}

impl Settings<'_> {
    /// A setting: `default` when the schedule does not give it, `None` (and a problem) when
    /// its value breaks the rule.
    fn get<T>(
        &mut self,
        key: Extra,
        default: T,
        parse: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let Some((value, source)) = self.schedule.extras.get(&key) else {
            return Some(default);
        };
        parse(value)
            .map_err(|invalid| {
                let place = place(self.mapped, &self.schedule.name, key.key());
                self.problems.push(sourced(&place, value, source, invalid));
            })
            .ok()
    }
}

/// Adds a problem once: each schedule's checks report a stack-wide one again.
fn add(problem: Problem, problems: &mut Vec<Problem>) {
    if !problems.contains(&problem) {
        problems.push(problem);
    }
}

/// A problem with the definition as a whole.
fn whole(problem: &str, fix: &str) -> Problem {
    Problem::new(SCHEDULES, None, Invalid::new(problem, fix))
}

/// A problem with a value at `place`; the fix says where it came from.
pub fn sourced(place: &str, value: &str, source: &Source, invalid: Invalid) -> Problem {
    let fix = match source {
        Source::File(path) => format!("{} (in {path})", invalid.fix),
        _ => invalid.fix,
    };
    Problem {
        parameter: place.to_string(),
        value: Some(value.to_string()),
        source: Some(source.to_string()),
        problem: invalid.problem,
        fix,
    }
}

//! The stack's parameters: where each value comes from, and the rules it must meet.
//!
//! Names are the reference template's, so a reference parameters.json works unchanged.
//! Sources, highest first: flags, the parameters file, `FSX_DRT_<NAME>` environment variables,
//! prompts (in the command layer), then defaults. Everything here is pure: no I/O, no AWS.

pub(crate) mod file;
mod values;

use std::collections::BTreeMap;

use fsx_drt_core::config::parse_release_after_days;
use fsx_drt_core::followup::Cap;
use fsx_drt_core::{
    parse_paths, render_paths, FileSystemId, FsPath, Invalid, ReportPath, TaskType,
};
use serde::Serialize;

use crate::schedule::Schedule;

pub use file::{parse_file, MAX_FILE_BYTES};
use values::{parse_alarm_topic_arn, parse_log_retention};
pub use values::{parse_email, parse_stack_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Param {
    FileSystemId,
    Schedule,
    Paths,
    TaskType,
    TaskCompletionReportPath,
    EmailAddress,
    ReleaseAfterDays,
    LogRetentionDays,
    AlarmTopicArn,
    FollowUpCapMinutes,
}

impl Param {
    pub const ALL: [Param; 10] = [
        Param::FileSystemId,
        Param::Schedule,
        Param::Paths,
        Param::TaskType,
        Param::TaskCompletionReportPath,
        Param::EmailAddress,
        Param::ReleaseAfterDays,
        Param::LogRetentionDays,
        Param::AlarmTopicArn,
        Param::FollowUpCapMinutes,
    ];

    /// Everything about this parameter, from [`SPECS`].
    fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }

    /// The template parameter's name (and the parameters file's key).
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    pub fn flag(self) -> &'static str {
        self.spec().flag
    }

    pub fn env(self) -> &'static str {
        self.spec().env
    }

    /// The reference's defaults. ReleaseAfterDays has one only for Release tasks (see
    /// [`validate`]), so it is not listed here.
    pub fn default(self) -> Option<&'static str> {
        self.spec().default
    }

    /// Required parameters have no default; a prompt asks for them.
    pub fn required(self) -> bool {
        self.spec().required
    }

    /// What a prompt asks for.
    pub fn prompt(self) -> &'static str {
        self.spec().prompt
    }

    pub fn from_key(key: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// One parameter's facts: its template key, flag, environment variable, default and prompt.
struct Spec {
    key: &'static str,
    flag: &'static str,
    env: &'static str,
    default: Option<&'static str>,
    required: bool,
    prompt: &'static str,
}

/// Every parameter, one row each, in [`Param`]'s order (a test checks clap's flags against
/// it, and the template's parameters too).
const SPECS: [Spec; 10] = [
    Spec {
        key: "FileSystemId",
        flag: "--file-system-id",
        env: "FSX_DRT_FILE_SYSTEM_ID",
        default: None,
        required: true,
        prompt: "FSx for Lustre file system id (fs-...)",
    },
    Spec {
        key: "Schedule",
        flag: "--schedule",
        env: "FSX_DRT_SCHEDULE",
        default: Some("0 0/6 * * ? *"),
        required: false,
        prompt: "Schedule (cron or rate expression, UTC)",
    },
    Spec {
        key: "Paths",
        flag: "--paths",
        env: "FSX_DRT_PATHS",
        default: Some("/"),
        required: false,
        prompt: "Paths (space-separated, quote paths with spaces)",
    },
    Spec {
        key: "TaskType",
        flag: "--task-type",
        env: "FSX_DRT_TASK_TYPE",
        default: Some("Export"),
        required: false,
        prompt: "Task type (Export, Import or Release)",
    },
    Spec {
        key: "TaskCompletionReportPath",
        flag: "--report-path",
        env: "FSX_DRT_TASK_COMPLETION_REPORT_PATH",
        default: Some("/fsx-drt-completion-reports"),
        required: false,
        prompt: "Completion report prefix",
    },
    Spec {
        key: "EmailAddress",
        flag: "--email",
        env: "FSX_DRT_EMAIL_ADDRESS",
        default: None,
        required: true,
        prompt: "Email address for alarm notifications",
    },
    Spec {
        key: "ReleaseAfterDays",
        flag: "--release-after-days",
        env: "FSX_DRT_RELEASE_AFTER_DAYS",
        default: None,
        required: false,
        prompt: "Release files not accessed for this many days",
    },
    Spec {
        key: "LogRetentionDays",
        flag: "--log-retention-days",
        env: "FSX_DRT_LOG_RETENTION_DAYS",
        default: Some("30"),
        required: false,
        prompt: "Days to keep the function's logs",
    },
    Spec {
        key: "AlarmTopicArn",
        flag: "--alarm-topic-arn",
        env: "FSX_DRT_ALARM_TOPIC_ARN",
        default: Some(""),
        required: false,
        prompt: "ARN of the team's SNS topic for alarms (instead of EmailAddress)",
    },
    Spec {
        key: fsx_drt_core::followup::CAP_KEY,
        flag: "--follow-up-cap",
        env: "FSX_DRT_FOLLOW_UP_CAP_MINUTES",
        default: Some("5"),
        required: false,
        prompt: "Longest wait between two checks of a running task, in minutes",
    },
];

/// Where a value came from, so problems and summaries can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    File(String),
    Env,
    /// The deployed stack's current value.
    Stack,
    Prompt,
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::File(path) => write!(f, "file {path}"),
            Source::Env => f.write_str("environment"),
            Source::Stack => f.write_str("stack"),
            Source::Prompt => f.write_str("prompt"),
            Source::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The values one source gives.
pub type Values = BTreeMap<Param, String>;

/// Each parameter's value and its source, before validation.
#[derive(Debug, Clone, Default)]
pub struct Resolved(BTreeMap<Param, (String, Source)>);

impl Resolved {
    /// Layers sources: the first layer that has a value wins.
    pub fn from_layers(layers: Vec<(Source, Values)>) -> Self {
        let mut resolved = BTreeMap::new();
        for (source, values) in layers {
            for (param, value) in values {
                resolved
                    .entry(param)
                    .or_insert_with(|| (value, source.clone()));
            }
        }
        Resolved(resolved)
    }

    /// Values from the `FSX_DRT_<NAME>` variables `lookup` knows (empty counts as unset).
    pub fn env_values(lookup: impl Fn(&str) -> Option<String>) -> Values {
        Param::ALL
            .into_iter()
            .filter_map(|p| lookup(p.env()).filter(|v| !v.is_empty()).map(|v| (p, v)))
            .collect()
    }

    /// Required parameters with no value and no default: what a prompt must ask for.
    pub fn missing(&self) -> Vec<Param> {
        Param::ALL
            .into_iter()
            .filter(|p| self.needs(*p) && !self.0.contains_key(p))
            .collect()
    }

    /// Required, and not EmailAddress beside a team topic (AlarmTopicArn) that takes its place.
    fn needs(&self, param: Param) -> bool {
        param.required() && !(param == Param::EmailAddress && self.team_topic().is_some())
    }

    /// AlarmTopicArn when it is in effect: not empty, and not the stack's value beside an
    /// EmailAddress given now (which goes back to the stack's own topic).
    fn team_topic(&self) -> Option<&(String, Source)> {
        let email_given = (self.get(Param::EmailAddress))
            .is_some_and(|(v, source)| !v.is_empty() && *source != Source::Stack);
        self.get(Param::AlarmTopicArn)
            .filter(|(v, source)| !(v.trim().is_empty() || email_given && *source == Source::Stack))
    }

    /// Adds a source below those already layered: only parameters still without a value take
    /// its values.
    pub fn fill(&mut self, values: Values, source: Source) {
        for (param, value) in values {
            self.0
                .entry(param)
                .or_insert_with(|| (value, source.clone()));
        }
    }

    pub fn set(&mut self, param: Param, value: String, source: Source) {
        self.0.insert(param, (value, source));
    }

    pub fn get(&self, param: Param) -> Option<&(String, Source)> {
        self.0.get(&param)
    }

    fn with_defaults(&self) -> Self {
        let mut all = self.0.clone();
        for p in Param::ALL {
            if let Some(d) = p.default() {
                all.entry(p)
                    .or_insert_with(|| (d.to_string(), Source::Default));
            }
        }
        Resolved(all)
    }
}

/// One problem with one input, reported with everything needed to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The parameter's name, or what else was wrong (a file key, `--parameters-file`).
    pub parameter: String,
    pub value: Option<String>,
    pub source: Option<String>,
    pub problem: String,
    pub fix: String,
}

impl Problem {
    pub fn new(parameter: impl Into<String>, value: Option<&str>, invalid: Invalid) -> Self {
        Problem {
            parameter: parameter.into(),
            value: value.map(str::to_string),
            source: None,
            problem: invalid.problem,
            fix: invalid.fix,
        }
    }

    /// A problem with a parameter's value; the fix says where to change it.
    pub fn sourced(param: Param, value: &str, source: &Source, invalid: Invalid) -> Self {
        let fix = match source {
            Source::Default | Source::Prompt => invalid.fix,
            Source::Stack => format!(
                "{} (the deployed stack has it; pass {} to replace it)",
                invalid.fix,
                param.flag()
            ),
            Source::Flag => format!("{} (in {})", invalid.fix, param.flag()),
            Source::File(path) => format!("{} (key {} in {path})", invalid.fix, param.key()),
            Source::Env => format!("{} (in {})", invalid.fix, param.env()),
        };
        Problem {
            parameter: param.key().to_string(),
            value: Some(value.to_string()),
            source: Some(source.to_string()),
            problem: invalid.problem,
            fix,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.parameter)?;
        if let Some(value) = &self.value {
            // Quoted, its quotes escaped; control characters are escaped by Failure::shown.
            write!(f, " = \"{}\"", value.replace('"', "\\\""))?;
        }
        if let Some(source) = &self.source {
            write!(f, " (from {source})")?;
        }
        write!(f, ": {}\n  fix: {}", self.problem, self.fix)
    }
}

/// CloudWatch Logs' allowed retention periods, in days.
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Release tasks without an explicit ReleaseAfterDays release files idle this long.
pub const DEFAULT_RELEASE_AFTER_DAYS: u32 = 30;

/// Validated parameters, ready to become the template's parameter values.
#[derive(Debug, Clone)]
pub struct Parameters {
    pub file_system_id: FileSystemId,
    pub schedule: Schedule,
    pub paths: Vec<FsPath>,
    pub task_type: TaskType,
    pub report_path: ReportPath,
    /// Empty when the alarms go to a team topic.
    pub email: String,
    /// The team's SNS topic the alarms publish to, instead of the stack's own.
    pub alarm_topic_arn: Option<String>,
    /// Only for Release tasks.
    pub release_after_days: Option<u32>,
    pub log_retention_days: u32,
    /// The longest wait between two follow-up checks of a task (FollowUpCapMinutes).
    pub follow_up_cap: Cap,
}

impl Parameters {
    /// The values CloudFormation gets, by template parameter name, in parameter order.
    pub fn template_values(&self) -> Vec<(Param, String)> {
        let mut values = vec![
            (Param::FileSystemId, self.file_system_id.to_string()),
            (Param::Schedule, self.schedule.expression()),
            (Param::Paths, render_paths(&self.paths)),
            (Param::TaskType, self.task_type.name().to_string()),
            (
                Param::TaskCompletionReportPath,
                self.report_path.to_string(),
            ),
            (Param::EmailAddress, self.email.clone()),
            (
                Param::AlarmTopicArn,
                self.alarm_topic_arn.clone().unwrap_or_default(),
            ),
        ];
        if let Some(days) = self.release_after_days {
            values.push((Param::ReleaseAfterDays, days.to_string()));
        }
        values.push((Param::LogRetentionDays, self.log_retention_days.to_string()));
        values.push((
            Param::FollowUpCapMinutes,
            self.follow_up_cap.minutes().to_string(),
        ));
        values
    }
}

/// Checks every resolved value (after filling defaults) and reports all problems at once,
/// in parameter order.
pub fn validate(resolved: &Resolved) -> Result<Parameters, Vec<Problem>> {
    let all = resolved.with_defaults();
    let problems = &mut Vec::new();
    let fs = field(&all, problems, Param::FileSystemId, |v| {
        one(FileSystemId::parse(v))
    });
    let schedule = field(&all, problems, Param::Schedule, Schedule::parse);
    let paths = field(&all, problems, Param::Paths, parse_paths);
    let task_type = field(&all, problems, Param::TaskType, |v| one(TaskType::parse(v)));
    let report = field(&all, problems, Param::TaskCompletionReportPath, |v| {
        one(ReportPath::parse(v))
    });
    // EmailAddress, or the team's topic in its place (a stack's old one of either gives way).
    let team_topic = all.team_topic().and_then(|(value, source)| {
        let checked = parse_alarm_topic_arn(value);
        let invalid = |i| Problem::sourced(Param::AlarmTopicArn, value, source, i);
        checked.map_err(|i| problems.push(invalid(i))).ok()
    });
    let email = match (all.team_topic(), all.get(Param::EmailAddress)) {
        (None, _) => field(&all, problems, Param::EmailAddress, |v| one(parse_email(v))),
        (Some((topic, _)), Some((value, source)))
            if !value.is_empty() && *source != Source::Stack =>
        {
            problems.push(Problem::sourced(
                Param::EmailAddress,
                value,
                source,
                Invalid::new(
                    format!("AlarmTopicArn {topic} is given too: the alarms publish there, and no address is subscribed"),
                    "give EmailAddress (the stack's own topic mails it) or AlarmTopicArn (subscribe the address to the team's topic), not both",
                ),
            ));
            None
        }
        (Some(_), _) => Some(String::new()),
    };
    let release_days = field(&all, problems, Param::ReleaseAfterDays, |v| {
        one(parse_release_after_days(v))
    });
    let retention = field(&all, problems, Param::LogRetentionDays, |v| {
        one(parse_log_retention(v))
    });
    let follow_up_cap = field(&all, problems, Param::FollowUpCapMinutes, |v| {
        one(Cap::parse(v))
    });

    let release_after_days = match (task_type, all.get(Param::ReleaseAfterDays)) {
        (Some(TaskType::Release), _) => Some(release_days.unwrap_or(DEFAULT_RELEASE_AFTER_DAYS)),
        (Some(other), Some((value, source))) => {
            problems.push(Problem::sourced(
                Param::ReleaseAfterDays,
                value,
                source,
                Invalid::new(
                    format!(
                        "ReleaseAfterDays applies only to Release tasks, and TaskType is {other}"
                    ),
                    "remove ReleaseAfterDays, or set TaskType to Release",
                ),
            ));
            None
        }
        _ => None,
    };

    match (fs, schedule, paths, task_type, report, email, retention) {
        (
            Some(file_system_id),
            Some(schedule),
            Some(paths),
            Some(task_type),
            Some(report_path),
            Some(email),
            Some(log_retention_days),
        ) if problems.is_empty() => Ok(Parameters {
            follow_up_cap: follow_up_cap.unwrap_or_default(),
            file_system_id,
            schedule,
            paths,
            task_type,
            report_path,
            email,
            alarm_topic_arn: team_topic,
            release_after_days,
            log_retention_days,
        }),
        _ => Err(std::mem::take(problems)),
    }
}

fn one<T>(result: Result<T, Invalid>) -> Result<T, Vec<Invalid>> {
    result.map_err(|e| vec![e])
}

/// Parses one parameter's value, or records why it can't be (missing counts for required ones).
fn field<T>(
    all: &Resolved,
    problems: &mut Vec<Problem>,
    param: Param,
    parse: impl FnOnce(&str) -> Result<T, Vec<Invalid>>,
) -> Option<T> {
    let Some((value, source)) = all.get(param) else {
        if param.required() {
            problems.push(Problem {
                parameter: param.key().to_string(),
                value: None,
                source: None,
                problem: format!("{} is required and has no value", param.key()),
                fix: format!(
                    "pass {}, set {}, or add {} to the parameters file",
                    param.flag(),
                    param.env(),
                    param.key()
                ),
            });
        }
        return None;
    };
    parse(value)
        .map_err(|invalids| {
            problems.extend(
                invalids
                    .into_iter()
                    .map(|i| Problem::sourced(param, value, source, i)),
            )
        })
        .ok()
}

/// Checks one value on its own (for prompts), as [`validate`] would.
pub fn check(param: Param, value: &str) -> Result<(), String> {
    let resolved = Resolved(BTreeMap::from([(
        param,
        (value.to_string(), Source::Prompt),
    )]));
    let problems = match validate(&resolved) {
        Ok(_) => return Ok(()),
        Err(problems) => problems,
    };
    match problems
        .into_iter()
        .find(|p| p.parameter == param.key() && p.value.is_some())
    {
        Some(p) => Err(format!("{} ({})", p.problem, p.fix)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(Param, &str)]) -> Values {
        pairs.iter().map(|(p, v)| (*p, v.to_string())).collect()
    }

    fn required() -> Values {
        values(&[
            (Param::FileSystemId, "fs-0123456789abcdef0"),
            (Param::EmailAddress, "ops@example.com"),
        ])
    }

    /// The table's rows are in [`Param`]'s order, so `spec()` finds each parameter's own row.
    #[test]
    fn the_parameter_table_is_in_param_order() {
        for (i, param) in Param::ALL.into_iter().enumerate() {
            assert_eq!(param as usize, i);
            assert_eq!(Param::from_key(param.key()), Some(param));
            assert_eq!(
                param.required(),
                param.default().is_none() && param != Param::ReleaseAfterDays
            );
        }
    }

    /// EmailAddress or AlarmTopicArn: the one given now wins over the stack's other; both
    /// given now is a problem naming EmailAddress.
    #[test]
    fn a_team_topic_or_an_address() {
        let topic = "arn:aws:sns:us-east-1:123456789012:team";
        let fs = (Param::FileSystemId, "fs-0123456789abcdef0");
        let layers = |now: &[(Param, &str)], stack: &[(Param, &str)]| {
            let mut now = now.to_vec();
            now.push(fs);
            validate(&Resolved::from_layers(vec![
                (Source::Flag, values(&now)),
                (Source::Stack, values(stack)),
            ]))
        };
        let to_team = layers(
            &[(Param::AlarmTopicArn, topic)],
            &[(Param::EmailAddress, "ops@example.com")],
        )
        .unwrap();
        assert_eq!(
            (to_team.email.as_str(), to_team.alarm_topic_arn.as_deref()),
            ("", Some(topic))
        );
        let back = layers(
            &[(Param::EmailAddress, "ops@example.com")],
            &[(Param::AlarmTopicArn, topic), (Param::EmailAddress, "")],
        )
        .unwrap();
        assert_eq!(
            (back.email.as_str(), back.alarm_topic_arn),
            ("ops@example.com", None)
        );
        let kept = layers(
            &[],
            &[(Param::AlarmTopicArn, topic), (Param::EmailAddress, "")],
        )
        .unwrap();
        assert_eq!(kept.alarm_topic_arn.as_deref(), Some(topic));
        let both = layers(
            &[
                (Param::AlarmTopicArn, topic),
                (Param::EmailAddress, "ops@example.com"),
            ],
            &[],
        )
        .unwrap_err();
        assert_eq!(both[0].parameter, "EmailAddress");
        let bad = layers(&[(Param::AlarmTopicArn, "team")], &[]).unwrap_err();
        assert_eq!(
            bad.iter().map(|p| p.parameter.as_str()).collect::<Vec<_>>(),
            ["AlarmTopicArn"]
        );
        let resolved = Resolved::from_layers(vec![(
            Source::Flag,
            values(&[fs, (Param::AlarmTopicArn, topic)]),
        )]);
        assert!(resolved.missing().is_empty());
    }

    #[test]
    fn flags_beat_file_beat_env_beat_defaults() {
        let resolved = Resolved::from_layers(vec![
            (Source::Flag, values(&[(Param::Schedule, "rate(1 hour)")])),
            (
                Source::File("p.json".into()),
                values(&[(Param::Schedule, "0 1 * * ? *"), (Param::Paths, "/file")]),
            ),
            (
                Source::Env,
                values(&[(Param::Paths, "/env"), (Param::TaskType, "Import")]),
            ),
            (Source::Env, required()),
        ]);
        let p = validate(&resolved).unwrap();
        assert_eq!(p.schedule.expression(), "rate(1 hour)");
        assert_eq!(render_paths(&p.paths), "/file");
        assert_eq!(p.task_type, TaskType::Import);
        assert_eq!(p.report_path.as_str(), "/fsx-drt-completion-reports");
        assert_eq!(
            resolved.get(Param::Paths).unwrap().1,
            Source::File("p.json".into())
        );
    }

    #[test]
    fn reference_defaults() {
        let p = validate(&Resolved::from_layers(vec![(Source::Flag, required())])).unwrap();
        let t: BTreeMap<&str, String> = p
            .template_values()
            .into_iter()
            .map(|(p, v)| (p.key(), v))
            .collect();
        assert_eq!(t["Schedule"], "cron(0 0/6 * * ? *)");
        assert_eq!(t["Paths"], "/");
        assert_eq!(t["TaskType"], "Export");
        assert_eq!(t["TaskCompletionReportPath"], "/fsx-drt-completion-reports");
        assert_eq!(t["LogRetentionDays"], "30");
        assert_eq!(t["FollowUpCapMinutes"], "5");
        assert!(!t.contains_key("ReleaseAfterDays"));
    }

    #[test]
    fn the_follow_up_cap_is_minutes_from_one_to_sixty() {
        let mut given = required();
        given.insert(Param::FollowUpCapMinutes, "15".into());
        let p = validate(&Resolved::from_layers(vec![(Source::Flag, given.clone())])).unwrap();
        assert_eq!(p.follow_up_cap.minutes(), 15);
        assert!(p
            .template_values()
            .contains(&(Param::FollowUpCapMinutes, "15".to_string())));
        given.insert(Param::FollowUpCapMinutes, "90".into());
        let problems = validate(&Resolved::from_layers(vec![(Source::Flag, given)])).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].parameter, "FollowUpCapMinutes");
        assert_eq!(problems[0].value.as_deref(), Some("90"));
        assert!(problems[0].fix.contains("--follow-up-cap"));
    }

    #[test]
    fn release_after_days_only_with_release() {
        let mut with_release = required();
        with_release.insert(Param::TaskType, "release".into());
        let p = validate(&Resolved::from_layers(vec![(
            Source::Flag,
            with_release.clone(),
        )]))
        .unwrap();
        assert_eq!(p.release_after_days, Some(DEFAULT_RELEASE_AFTER_DAYS));
        with_release.insert(Param::ReleaseAfterDays, "0".into());
        let p = validate(&Resolved::from_layers(vec![(Source::Flag, with_release)])).unwrap();
        assert!(p
            .template_values()
            .contains(&(Param::ReleaseAfterDays, "0".to_string())));

        let mut export = required();
        export.insert(Param::ReleaseAfterDays, "7".into());
        let problems = validate(&Resolved::from_layers(vec![(Source::Flag, export)])).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].parameter, "ReleaseAfterDays");
        assert!(problems[0].problem.contains("TaskType is Export"));
    }

    #[test]
    fn all_problems_at_once_with_their_sources() {
        let resolved = Resolved::from_layers(vec![
            (Source::Flag, values(&[(Param::FileSystemId, "fs-1")])),
            (Source::Env, values(&[(Param::Schedule, "* * * * * *")])),
        ]);
        let problems = validate(&resolved).unwrap_err();
        let names: Vec<&str> = problems.iter().map(|p| p.parameter.as_str()).collect();
        assert_eq!(names, ["FileSystemId", "Schedule", "EmailAddress"]);
        assert!(problems[0].fix.contains("--file-system-id"));
        assert!(problems[1].fix.contains("FSX_DRT_SCHEDULE"));
        assert!(problems[2].fix.contains("--email"));
    }

    #[test]
    fn missing_lists_what_to_prompt_for() {
        let resolved = Resolved::from_layers(vec![(
            Source::Flag,
            values(&[(Param::EmailAddress, "a@b.co")]),
        )]);
        assert_eq!(resolved.missing(), [Param::FileSystemId]);
    }

    #[test]
    fn env_values_skip_empty() {
        let env = Resolved::env_values(|name| match name {
            "FSX_DRT_PATHS" => Some("/x".into()),
            "FSX_DRT_SCHEDULE" => Some(String::new()),
            _ => None,
        });
        assert_eq!(env, values(&[(Param::Paths, "/x")]));
    }

    #[test]
    fn emails() {
        for good in ["ops@example.com", "a.b+c@sub.example.co.uk", " x@y.io "] {
            assert!(parse_email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "ops@@example.com",
            "a@b.com,c@d.com",
            "a@b.com c@d.com",
            "ops@exa mple.com",
            "ops@.example.com",
            "ops@example..com",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_ascii_emails_name_the_look_alike() {
        let invalid = parse_email("ops@ex\u{430}mple.com").unwrap_err();
        assert!(
            invalid
                .problem
                .starts_with("character 7 is 'а' (U+0430), not ASCII"),
            "{}",
            invalid.problem
        );
        assert!(invalid.problem.contains("looks like a Latin letter"));
        for bad in [
            "оps@example.com",
            "ops@example.cöm",
            "ops@例え.jp",
            "ops\u{200b}@example.com",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stack_names() {
        assert!(parse_stack_name("fsx-drt-scheduler").is_ok());
        for bad in ["", "1stack", "my_stack", "my stack", &"a".repeat(129)] {
            assert!(parse_stack_name(bad).is_err(), "{bad}");
        }
    }
}

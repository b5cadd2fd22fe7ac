//! Parsers for the values the Lambda is configured with (and the CLI validates before deploy).

use crate::env;
use crate::paths::{parse_paths, FsPath};
use crate::Invalid;

/// The function's configuration, from the environment the template sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub file_system_id: FileSystemId,
    pub task_type: TaskType,
    pub paths: Vec<FsPath>,
    pub report_path: ReportPath,
    /// Used by Release tasks only.
    pub release_after_days: u32,
}

/// A missing or invalid environment variable (or field of a schedule's event, see
/// [`crate::event`]). Not worth retrying: the stack's parameters need fixing (`fsx-drt
/// deploy` validates them before they get here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: Option<String>,
    pub invalid: Invalid,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value:?}: {}", self.variable, self.invalid),
            None => write!(f, "{} is not set: {}", self.variable, self.invalid),
        }
    }
}

impl Config {
    /// Reads every variable through `lookup` and reports every problem.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<ConfigError>> {
        let errors = &mut Vec::new();
        let fs = var(&lookup, errors, env::FILE_SYSTEM_ID, |v| {
            one(FileSystemId::parse(v))
        });
        let task_type = var(&lookup, errors, env::TASK_TYPE, |v| one(TaskType::parse(v)));
        let paths = var(&lookup, errors, env::FSX_PATHS, parse_paths);
        let report = var(&lookup, errors, env::COMPLETION_REPORT_PATH, |v| {
            one(ReportPath::parse(v))
        });
        // Only Release tasks need the age; the template always sets it.
        let release_after_days = match task_type {
            Some(TaskType::Release) => var(&lookup, errors, env::RELEASE_AFTER_DAYS, |v| {
                one(parse_release_after_days(v))
            }),
            _ => Some(0),
        };
        match (fs, task_type, paths, report, release_after_days) {
            (Some(file_system_id), Some(task_type), Some(paths), Some(report_path), Some(days))
                if errors.is_empty() =>
            {
                Ok(Config {
                    file_system_id,
                    task_type,
                    paths,
                    report_path,
                    release_after_days: days,
                })
            }
            _ => Err(std::mem::take(errors)),
        }
    }
}

impl FileSystemId {
    /// FILE_SYSTEM_ID alone: all a function whose schedules carry their task settings needs
    /// from its environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let errors = &mut Vec::new();
        var(&lookup, errors, env::FILE_SYSTEM_ID, |v| {
            one(FileSystemId::parse(v))
        })
        .ok_or_else(|| errors.remove(0))
    }
}

pub(crate) fn one<T>(result: Result<T, Invalid>) -> Result<T, Vec<Invalid>> {
    result.map_err(|e| vec![e])
}

fn var<T>(
    lookup: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
    variable: &'static str,
    parse: impl FnOnce(&str) -> Result<T, Vec<Invalid>>,
) -> Option<T> {
    let missing = || {
        Invalid::new(
            "the variable is missing",
            "deploy the function with fsx-drt deploy, which sets it",
        )
    };
    read(lookup(variable), missing, errors, variable, parse)
}

/// Parses one value named `variable` (an environment variable or an event's field), adding
/// what is wrong with it to `errors`; `missing` says why it is needed when it is absent.
pub(crate) fn read<T>(
    value: Option<String>,
    missing: impl FnOnce() -> Invalid,
    errors: &mut Vec<ConfigError>,
    variable: &'static str,
    parse: impl FnOnce(&str) -> Result<T, Vec<Invalid>>,
) -> Option<T> {
    let Some(value) = value else {
        errors.push(ConfigError {
            variable,
            value: None,
            invalid: missing(),
        });
        return None;
    };
    parse(&value)
        .map_err(|invalids| {
            errors.extend(invalids.into_iter().map(|invalid| ConfigError {
                variable,
                value: Some(value.clone()),
                invalid,
            }))
        })
        .ok()
}

/// An FSx file-system id as the FSx API defines it: `^fs-[0-9a-f]{8,}$`, 11-21 characters.
/// (The reference's `fs-[a-z0-9]{17}` rejects valid ids such as `fs-0123abcd`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSystemId(String);

impl FileSystemId {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let fix = "copy the id from `aws fsx describe-file-systems`, e.g. fs-0123456789abcdef0";
        let Some(hex) = value.strip_prefix("fs-") else {
            return Err(Invalid::new(
                "a file-system id starts with fs- followed by lowercase hex digits",
                fix,
            ));
        };
        if !(11..=21).contains(&value.len()) {
            return Err(Invalid::new(
                format!(
                    "a file-system id is 11 to 21 characters long (fs- and 8 to 18 hex digits); this one has {}",
                    value.chars().count()
                ),
                fix,
            ));
        }
        if let Some(bad) = hex.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
            let hint = if bad.is_ascii_hexdigit() {
                "write the id in lowercase".to_string()
            } else {
                fix.to_string()
            };
            return Err(Invalid::new(
                format!("'{bad}' is not a lowercase hex digit (0-9, a-f) after fs-"),
                hint,
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FileSystemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of data repository task a run creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    Export,
    Import,
    Release,
}

impl TaskType {
    pub const ALL: [TaskType; 3] = [TaskType::Export, TaskType::Import, TaskType::Release];

    /// Accepts the friendly names and the API's enum values, in any case.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let wanted = value.trim();
        Self::ALL
            .into_iter()
            .find(|t| {
                t.name().eq_ignore_ascii_case(wanted) || t.api_name().eq_ignore_ascii_case(wanted)
            })
            .ok_or_else(|| {
                Invalid::new(
                    "the task type is one of Export, Import or Release (any case), or the API's EXPORT_TO_REPOSITORY, IMPORT_METADATA_FROM_REPOSITORY, RELEASE_DATA_FROM_FILESYSTEM",
                    "use Export to copy changes to S3, Import to load S3 metadata, Release to free space of exported files",
                )
            })
    }

    /// The template parameter's value.
    pub fn name(self) -> &'static str {
        match self {
            TaskType::Export => "Export",
            TaskType::Import => "Import",
            TaskType::Release => "Release",
        }
    }

    /// The FSx API's `Type`.
    pub fn api_name(self) -> &'static str {
        match self {
            TaskType::Export => "EXPORT_TO_REPOSITORY",
            TaskType::Import => "IMPORT_METADATA_FROM_REPOSITORY",
            TaskType::Release => "RELEASE_DATA_FROM_FILESYSTEM",
        }
    }
}

impl std::fmt::Display for TaskType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where completion reports go, relative to the covering data repository's S3 path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPath(String);

impl ReportPath {
    /// S3's key limit; the report path is part of a key.
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let fix = "give an S3 prefix starting with /, e.g. /fsx-drt-completion-reports";
        if !value.starts_with('/') {
            return Err(Invalid::new(
                "the report path is a prefix starting with / (it is appended to the data repository's S3 path)",
                fix,
            ));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                format!(
                    "the report path is longer than {} characters",
                    Self::MAX_CHARS
                ),
                fix,
            ));
        }
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Invalid::new(
                "the report path contains whitespace or control characters",
                fix,
            ));
        }
        if value.split('/').any(|c| c == "." || c == "..") {
            return Err(Invalid::new(
                "the report path has a . or .. component",
                "write the prefix without . or .. components",
            ));
        }
        let trimmed = value.trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(Invalid::new(
                "the report path names no prefix; reports would land at the root of the data repository",
                fix,
            ));
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReportPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A schedule's name as EventBridge Scheduler allows it (1-64 of `[0-9A-Za-z._-]`): the
/// value of the tasks' schedule tag and of the metrics' Schedule dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScheduleName(String);

impl ScheduleName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let fix = "name the schedule with letters, digits, '.', '_' and '-', e.g. nightly-export";
        if value.is_empty() || value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                format!(
                    "a schedule name is 1 to {} characters long; this one has {}",
                    Self::MAX_CHARS,
                    value.chars().count()
                ),
                fix,
            ));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(Invalid::new(
                format!("'{}' is not allowed in a schedule name", bad.escape_debug()),
                fix,
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ScheduleName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Release tasks release exported files not accessed for this many days.
pub fn parse_release_after_days(value: &str) -> Result<u32, Invalid> {
    value.trim().parse::<u32>().map_err(|_| {
        Invalid::new(
            "the number of days is a whole number, 0 or more (0 releases every exported file)",
            "give a number of days such as 30",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_system_ids() {
        for good in [
            "fs-0123abcd",
            "fs-0123456789abcdef0",
            "fs-0123456789abcdef01",
        ] {
            assert_eq!(FileSystemId::parse(good).unwrap().as_str(), good);
        }
        for (bad, says) in [
            ("fs-0123abc", "11 to 21"),
            ("fs-0123456789abcdef012", "11 to 21"),
            ("fs-0123456789ABCDEF0", "'A' is not"),
            ("fs-0123456789abcdefg", "'g' is not"),
            ("0123456789abcdef0", "starts with fs-"),
            ("", "starts with fs-"),
        ] {
            let err = FileSystemId::parse(bad).unwrap_err();
            assert!(err.problem.contains(says), "{bad}: {err}");
        }
        assert!(FileSystemId::parse("fs-0123456789ABCDEF0")
            .unwrap_err()
            .fix
            .contains("lowercase"));
    }

    #[test]
    fn task_types() {
        for (input, expected) in [
            ("Export", TaskType::Export),
            ("export", TaskType::Export),
            ("EXPORT_TO_REPOSITORY", TaskType::Export),
            ("import", TaskType::Import),
            ("IMPORT_METADATA_FROM_REPOSITORY", TaskType::Import),
            ("RELEASE", TaskType::Release),
            ("release_data_from_filesystem", TaskType::Release),
        ] {
            assert_eq!(TaskType::parse(input).unwrap(), expected, "{input}");
        }
        for bad in ["", "Sync", "AUTO_RELEASE_DATA", "Exports"] {
            assert!(TaskType::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn report_paths() {
        assert_eq!(ReportPath::parse("/r/").unwrap().as_str(), "/r");
        assert_eq!(
            ReportPath::parse("/fsx-drt-completion-reports")
                .unwrap()
                .as_str(),
            "/fsx-drt-completion-reports"
        );
        for bad in ["r", "/", "//", "/a b", "/a/../b", "/a\nb"] {
            assert!(ReportPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn config_from_the_environment() {
        let vars = [
            ("FILE_SYSTEM_ID", "fs-0123abcd"),
            ("TASK_TYPE", "RELEASE_DATA_FROM_FILESYSTEM"),
            ("FSX_PATHS", "/a \"/b c\""),
            ("COMPLETION_REPORT_PATH", "/r"),
            ("RELEASE_AFTER_DAYS", "9"),
        ];
        let c = Config::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(c.task_type, TaskType::Release);
        assert_eq!(c.paths.len(), 2);
        assert_eq!(c.release_after_days, 9);
    }

    #[test]
    fn config_errors_name_every_variable() {
        let vars = [
            ("FILE_SYSTEM_ID", "fs-nope"),
            ("TASK_TYPE", "Release"),
            ("FSX_PATHS", "relative"),
            ("RELEASE_AFTER_DAYS", "soon"),
        ];
        let errors = Config::from_lookup(lookup(&vars)).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.variable).collect();
        assert_eq!(
            named,
            [
                "FILE_SYSTEM_ID",
                "FSX_PATHS",
                "COMPLETION_REPORT_PATH",
                "RELEASE_AFTER_DAYS"
            ]
        );
        assert!(errors[2]
            .to_string()
            .starts_with("COMPLETION_REPORT_PATH is not set"));
        assert!(errors[0]
            .to_string()
            .starts_with("FILE_SYSTEM_ID=\"fs-nope\""));
    }

    #[test]
    fn schedule_names() {
        for good in ["nightly-export", "a", "Export_2.hourly", &"x".repeat(64)] {
            assert_eq!(ScheduleName::parse(good).unwrap().as_str(), good);
        }
        for (bad, says) in [
            ("", "1 to 64"),
            (&*"x".repeat(65), "has 65"),
            ("nightly export", "' ' is not allowed"),
            ("a/b", "'/' is not allowed"),
        ] {
            let err = ScheduleName::parse(bad).unwrap_err();
            assert!(err.problem.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn the_file_system_alone() {
        let fs = FileSystemId::from_lookup(lookup(&[("FILE_SYSTEM_ID", "fs-0123abcd")]));
        assert_eq!(fs.unwrap().as_str(), "fs-0123abcd");
        let err = FileSystemId::from_lookup(lookup(&[])).unwrap_err();
        assert!(err.to_string().starts_with("FILE_SYSTEM_ID is not set"));
    }

    #[test]
    fn release_days() {
        assert_eq!(parse_release_after_days("0"), Ok(0));
        assert_eq!(parse_release_after_days(" 30 "), Ok(30));
        for bad in ["-1", "1.5", "ten", ""] {
            assert!(parse_release_after_days(bad).is_err(), "{bad}");
        }
    }
}

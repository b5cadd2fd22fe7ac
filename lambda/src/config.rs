//! Parsers for the values the Lambda is configured with (and the CLI validates before deploy).

use crate::Invalid;

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

    #[test]
    fn release_days() {
        assert_eq!(parse_release_after_days("0"), Ok(0));
        assert_eq!(parse_release_after_days(" 30 "), Ok(30));
        for bad in ["-1", "1.5", "ten", ""] {
            assert!(parse_release_after_days(bad).is_err(), "{bad}");
        }
    }
}

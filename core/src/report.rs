//! Data repository task completion reports: where FSx writes one, and what it says.
//!
//! As AWS documents them (FSx for Lustre user guide, "Working with task completion reports",
//! <https://docs.aws.amazon.com/fsx/latest/LustreGuide/task-completion-report.html>; FSx API
//! reference, `CompletionReport`):
//! - the report is delivered to `{path}/task-{id}/failures.csv` (API reference, Format
//!   REPORT_CSV_20191124); the user guide names the file `report.csv` for import tasks and
//!   `failures.csv` for export and release tasks;
//! - it is CSV with three fields, `FilePath`, `FileStatus` and `ErrorCode`, no header row in
//!   the documented example (`dir1/myLargeFile,failed,FileSizeTooLarge`), scope
//!   FAILED_FILES_ONLY (the only one): every row is a file that failed;
//! - RFC 4180 encoding: a value holding `"` or `,` is double-quoted, `"` doubled inside; a path
//!   starting with `@ + - =` is quoted once more (`@filename.txt` becomes `"""@filename.txt"""`).
//!
//! Pure: the CLI's `tasks report` and the Lambda's alarm message read a report through here.

use std::fmt;

use serde::Serialize;

/// How many failed paths a summary lists.
pub const FIRST_PATHS: usize = 20;

/// How much of a report is read (its first bytes): a task can fail millions of files, and
/// the Lambda has 128 MB. About 50,000 rows of 160 bytes.
pub const READ_LIMIT: u64 = 8 * 1024 * 1024;

/// An S3 object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
}

impl fmt::Display for S3Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// The folder FSx writes a task's report in, the likeliest reading of the documented
/// `{path}/task-{id}/` (see [`report_objects`]).
pub fn report_folder(report_path: &str, task_id: &str) -> String {
    format!("{}/{task_id}/", report_path.trim_end_matches('/'))
}

/// The objects where FSx may have written the report of a task, the likeliest first.
///
/// `task-{id}` in the documented path is the task id itself (`task-0123...`): FSx's ids
/// already start with `task-`; the literal reading (`task-task-0123...`) comes second. An
/// import's `report.csv` (user guide) comes before `failures.csv` (API reference). `None`
/// when `report_path` is not an `s3://bucket[/prefix]` path.
pub fn report_objects(report_path: &str, task_id: &str, task_type: &str) -> Option<Vec<S3Object>> {
    let (bucket, prefix) = bucket_and_prefix(report_path)?;
    let names = report_names(task_type);
    let folders = [task_id.to_string(), format!("task-{task_id}")];
    let objects = folders
        .iter()
        .flat_map(|folder| {
            names.iter().map(move |name| S3Object {
                bucket: bucket.to_string(),
                key: if prefix.is_empty() {
                    format!("{folder}/{name}")
                } else {
                    format!("{prefix}/{folder}/{name}")
                },
            })
        })
        .collect();
    Some(objects)
}

/// `s3://bucket[/prefix]` as the bucket and the prefix without its outer slashes.
fn bucket_and_prefix(report_path: &str) -> Option<(&str, &str)> {
    let rest = report_path.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then(|| (bucket, prefix.trim_matches('/')))
}

/// The names FSx gives a task's report: an import's `report.csv` (user guide) before
/// `failures.csv` (API reference); export and release tasks' `failures.csv`.
fn report_names(task_type: &str) -> &'static [&'static str] {
    if task_type == "IMPORT_METADATA_FROM_REPOSITORY" {
        &["report.csv", "failures.csv"]
    } else {
        &["failures.csv"]
    }
}

/// What the function's role may read of a report path: every task's report under it
/// ([`report_objects`]: `task-*` covers both readings of the folder), as IAM resource ARNs
/// (`arn:aws:s3:::bucket/prefix/task-*/failures.csv`). The bucket and prefix stand for
/// themselves: IAM's wildcards and policy variables in them (`*`, `?`, `$`) are written as
/// IAM's literals (`${*}`, `${?}`, `${$}`). `None` when `report_path` is not an `s3://` path.
pub fn report_object_arns(
    partition: &str,
    report_path: &str,
    task_type: &str,
) -> Option<Vec<String>> {
    let (bucket, prefix) = bucket_and_prefix(report_path)?;
    let literal = |text: &str| {
        text.replace('$', "${$}")
            .replace('*', "${*}")
            .replace('?', "${?}")
    };
    let folder = match prefix {
        "" => String::new(),
        prefix => format!("{}/", literal(prefix)),
    };
    let names = report_names(task_type);
    Some(
        names
            .iter()
            .map(|name| {
                format!(
                    "arn:{partition}:s3:::{}/{folder}task-*/{name}",
                    literal(bucket)
                )
            })
            .collect(),
    )
}

/// One row of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedFile {
    pub path: String,
    pub status: String,
    pub error_code: String,
}

/// How many files failed with one error code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    pub error_code: String,
    pub files: u64,
}

/// A line that is not a row of three fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// 1-based line where the record starts.
    pub line: usize,
    pub reason: String,
}

/// What a report says: counts per error code (most files first), the first
/// [`FIRST_PATHS`] failed files, and the lines that could not be read (the first
/// [`FIRST_PATHS`] of them; `malformed_lines` counts all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Where the report was read (`s3://bucket/key`).
    pub location: String,
    pub failed_files: u64,
    pub by_error_code: Vec<CodeCount>,
    pub first_failed: Vec<FailedFile>,
    pub malformed_lines: u64,
    pub first_malformed: Vec<Malformed>,
    /// Only the first `bytes_read` of `bytes_total` were read: the counts are of those rows
    /// (the task's FailedCount is the total).
    pub truncated: bool,
    pub bytes_read: u64,
    pub bytes_total: u64,
}

/// For a person (the CLI, the alarm message): the counts per error code, the first paths,
/// the unreadable lines; control characters in paths escaped.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} failed file(s) in {}",
            self.failed_files, self.location
        )?;
        if self.truncated {
            writeln!(
                f,
                "(counted in its first {} of {} bytes only)",
                self.bytes_read, self.bytes_total
            )?;
        }
        // Every listed path's code is among the counted ones.
        let width = self
            .by_error_code
            .iter()
            .map(|c| c.error_code.len())
            .max()
            .unwrap_or(0);
        for count in &self.by_error_code {
            writeln!(f, "  {:width$}  {}", count.error_code, count.files)?;
        }
        if !self.first_failed.is_empty() {
            let shown = self.first_failed.len();
            let which = if (shown as u64) < self.failed_files {
                format!("the first {shown}")
            } else {
                "every one".to_string()
            };
            writeln!(f, "Failed files ({which}):")?;
            for file in &self.first_failed {
                writeln!(f, "  {:width$}  {}", file.error_code, escaped(&file.path))?;
            }
        }
        if self.malformed_lines > 0 {
            writeln!(f, "{} line(s) could not be read:", self.malformed_lines)?;
            for bad in &self.first_malformed {
                writeln!(f, "  line {}: {}", bad.line, bad.reason)?;
            }
        }
        Ok(())
    }
}

fn escaped(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Reads a whole report's text.
pub fn summarise(location: &str, text: &str) -> Summary {
    summarise_start(location, text, text.len() as u64)
}

/// Reads the first bytes of a report of `total` bytes (at most [`READ_LIMIT`] are asked
/// for); a row cut off at the end is left out.
pub fn summarise_start(location: &str, text: &str, total: u64) -> Summary {
    let truncated = (text.len() as u64) < total;
    let text = if truncated {
        text.rfind('\n').map_or("", |end| &text[..=end])
    } else {
        text
    };
    let mut summary = Summary {
        location: location.to_string(),
        failed_files: 0,
        by_error_code: Vec::new(),
        first_failed: Vec::new(),
        malformed_lines: 0,
        first_malformed: Vec::new(),
        truncated,
        bytes_read: text.len() as u64,
        bytes_total: total,
    };
    for (index, record) in records(text).into_iter().enumerate() {
        let row = record
            .fields
            .and_then(|fields| match <[String; 3]>::try_from(fields) {
                Ok([path, status, error_code]) => Ok(FailedFile {
                    path: unguard(path),
                    status,
                    error_code,
                }),
                Err(fields) => Err(format!("{} field(s), not 3", fields.len())),
            });
        match row {
            // A header, though the documented report has none.
            Ok(row) if index == 0 && row.path == "FilePath" && row.error_code == "ErrorCode" => {}
            Ok(row) => {
                summary.failed_files += 1;
                match summary
                    .by_error_code
                    .iter_mut()
                    .find(|c| c.error_code == row.error_code)
                {
                    Some(count) => count.files += 1,
                    None => summary.by_error_code.push(CodeCount {
                        error_code: row.error_code.clone(),
                        files: 1,
                    }),
                }
                if summary.first_failed.len() < FIRST_PATHS {
                    summary.first_failed.push(row);
                }
            }
            Err(reason) => {
                summary.malformed_lines += 1;
                if summary.first_malformed.len() < FIRST_PATHS {
                    summary.first_malformed.push(Malformed {
                        line: record.line,
                        reason,
                    });
                }
            }
        }
    }
    summary.by_error_code.sort_by(|a, b| {
        b.files
            .cmp(&a.files)
            .then_with(|| a.error_code.cmp(&b.error_code))
    });
    summary
}

/// A path quoted once more because it starts with `@ + - =` (so that spreadsheets do not
/// read it as a formula), unquoted. The user guide says "single quotation marks" and shows
/// double ones: either is taken off.
fn unguard(path: String) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = path.strip_prefix(quote).and_then(|p| p.strip_suffix(quote)) {
            if inner.starts_with(['@', '+', '-', '=']) {
                return inner.to_string();
            }
        }
    }
    path
}

struct Record {
    line: usize,
    fields: Result<Vec<String>, String>,
}

/// RFC 4180 records: fields split at commas, quoted fields may hold commas, doubled quotes
/// and line breaks; CRLF or LF ends a record; empty lines are skipped.
fn records(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut error = None;
        let mut quoted = false;
        let mut in_quotes = false;
        loop {
            let Some(c) = chars.next() else {
                if in_quotes {
                    error = Some("a quoted field is not closed".to_string());
                }
                break;
            };
            if c == '\n' {
                line += 1;
            }
            if in_quotes {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = false,
                    c => field.push(c),
                }
                continue;
            }
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    quoted = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => break,
                '"' if field.is_empty() && !quoted => {
                    quoted = true;
                    in_quotes = true;
                }
                '"' => {
                    error.get_or_insert_with(|| "a quote inside an unquoted field".to_string());
                }
                c if quoted => {
                    error.get_or_insert_with(|| format!("{c:?} after a closing quote"));
                }
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() == 1 && fields[0].is_empty() && !quoted && error.is_none() {
            continue;
        }
        records.push(Record {
            line: start,
            fields: error.map_or(Ok(fields), Err),
        });
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_may_read_the_reports_under_exactly_the_report_path() {
        let export = report_object_arns(
            "aws",
            "s3://bucket-a/data/fsx-drt-completion-reports/",
            "EXPORT_TO_REPOSITORY",
        );
        assert_eq!(
            export.unwrap(),
            ["arn:aws:s3:::bucket-a/data/fsx-drt-completion-reports/task-*/failures.csv"]
        );
        let import = report_object_arns("aws-cn", "s3://b/r", "IMPORT_METADATA_FROM_REPOSITORY");
        assert_eq!(
            import.unwrap(),
            [
                "arn:aws-cn:s3:::b/r/task-*/report.csv",
                "arn:aws-cn:s3:::b/r/task-*/failures.csv"
            ]
        );
        let root = report_object_arns("aws", "s3://b", "RELEASE_DATA_FROM_FILESYSTEM");
        assert_eq!(root.unwrap(), ["arn:aws:s3:::b/task-*/failures.csv"]);
        // IAM's wildcards and variables in the prefix are literals, not patterns.
        let odd = report_object_arns("aws", "s3://b/a*b?c${x}", "EXPORT_TO_REPOSITORY");
        assert_eq!(
            odd.unwrap(),
            ["arn:aws:s3:::b/a${*}b${?}c${$}{x}/task-*/failures.csv"]
        );
        assert_eq!(
            report_object_arns("aws", "/reports", "EXPORT_TO_REPOSITORY"),
            None
        );
        // Every object a task's report is looked for at is one the role may read.
        for task_type in ["EXPORT_TO_REPOSITORY", "IMPORT_METADATA_FROM_REPOSITORY"] {
            let arns = report_object_arns("aws", "s3://b/r", task_type).unwrap();
            for object in report_objects("s3://b/r", "task-0123456789abcdef0", task_type).unwrap() {
                let key = format!("arn:aws:s3:::{}/{}", object.bucket, object.key);
                assert!(
                    arns.iter().any(|arn| {
                        let (head, tail) = arn.split_once("task-*").unwrap();
                        key.starts_with(head) && key.ends_with(tail)
                    }),
                    "{key} not in {arns:?}"
                );
            }
        }
    }

    fn paths(summary: &Summary) -> Vec<&str> {
        summary
            .first_failed
            .iter()
            .map(|f| f.path.as_str())
            .collect()
    }

    #[test]
    fn the_documented_example() {
        let report = "myRestrictedFile,failed,S3AccessDenied\n\
                      dir1/myLargeFile,failed,FileSizeTooLarge\n\
                      dir2/anotherLargeFile,failed,FileSizeTooLarge\n";
        let summary = summarise("s3://b/r/task-0123456789abcdef0/failures.csv", report);
        assert_eq!(summary.failed_files, 3);
        assert_eq!(
            summary.by_error_code,
            [
                CodeCount {
                    error_code: "FileSizeTooLarge".into(),
                    files: 2
                },
                CodeCount {
                    error_code: "S3AccessDenied".into(),
                    files: 1
                },
            ]
        );
        assert_eq!(
            paths(&summary),
            [
                "myRestrictedFile",
                "dir1/myLargeFile",
                "dir2/anotherLargeFile"
            ]
        );
        assert_eq!(summary.first_failed[0].status, "failed");
        assert_eq!(summary.malformed_lines, 0);
    }

    #[test]
    fn the_documented_encodings() {
        // The user guide's four examples, then a path with a line break, CRLF endings.
        for (line, path) in [
            (
                r#""""@filename.txt""",failed,S3AccessDenied"#,
                "@filename.txt",
            ),
            (
                r#""""+filename.txt""",failed,S3AccessDenied"#,
                "+filename.txt",
            ),
            (r#""file,name.txt",failed,S3AccessDenied"#, "file,name.txt"),
            (
                r#""file""name.txt",failed,S3AccessDenied"#,
                "file\"name.txt",
            ),
            ("'-minus.txt',failed,S3AccessDenied", "-minus.txt"),
            ("\"two\nlines\",failed,S3AccessDenied", "two\nlines"),
            ("plain.txt,failed,S3AccessDenied\r\n", "plain.txt"),
            // Quoted, but not a formula guard: the quotes are the path's.
            (r#""""quoted""",failed,S3AccessDenied"#, "\"quoted\""),
        ] {
            let summary = summarise("s3://b/k", line);
            assert_eq!(summary.failed_files, 1, "{line}");
            assert_eq!(paths(&summary), [path], "{line}");
            assert_eq!(summary.by_error_code[0].error_code, "S3AccessDenied");
        }
    }

    #[test]
    fn empty_reports_and_header_rows() {
        for report in ["", "\n", "\r\n\r\n", "FilePath,FileStatus,ErrorCode\n"] {
            let summary = summarise("s3://b/k", report);
            assert_eq!(summary.failed_files, 0, "{report:?}");
            assert!(summary.by_error_code.is_empty());
            assert_eq!(summary.malformed_lines, 0, "{report:?}");
        }
        let summary = summarise("s3://b/k", "FilePath,FileStatus,ErrorCode\na,failed,X\n");
        assert_eq!(paths(&summary), ["a"]);
    }

    #[test]
    fn malformed_lines_are_reported_and_the_rest_read() {
        let report = "a,failed,X\n\
                      only-two,failed\n\
                      \"unclosed,failed,X\n";
        let summary = summarise("s3://b/k", report);
        assert_eq!(summary.failed_files, 1);
        assert_eq!(summary.malformed_lines, 2);
        assert_eq!(
            summary.first_malformed,
            [
                Malformed {
                    line: 2,
                    reason: "2 field(s), not 3".into()
                },
                Malformed {
                    line: 3,
                    reason: "a quoted field is not closed".into()
                },
            ]
        );
        for bad in ["a\"b,failed,X", "\"a\"b,failed,X", "a,b,c,d"] {
            let summary = summarise("s3://b/k", bad);
            assert_eq!(
                (summary.failed_files, summary.malformed_lines),
                (0, 1),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_first_twenty_paths_and_all_counts() {
        let report: String = (0..25)
            .map(|i| format!("f{i},failed,{}\n", if i % 5 == 0 { "A" } else { "B" }))
            .collect();
        let summary = summarise("s3://b/k", &report);
        assert_eq!(summary.failed_files, 25);
        assert_eq!(summary.first_failed.len(), FIRST_PATHS);
        assert_eq!(summary.first_failed[19].path, "f19");
        let counts: Vec<(&str, u64)> = summary
            .by_error_code
            .iter()
            .map(|c| (c.error_code.as_str(), c.files))
            .collect();
        assert_eq!(counts, [("B", 20), ("A", 5)]);
    }

    #[test]
    fn the_start_of_a_long_report() {
        let start = "a,failed,X\nb,failed,Y\nc,fai";
        let summary = summarise_start("s3://b/k", start, 1_000_000);
        assert_eq!(paths(&summary), ["a", "b"]);
        assert_eq!(summary.malformed_lines, 0);
        assert!(summary.truncated);
        assert_eq!((summary.bytes_read, summary.bytes_total), (22, 1_000_000));
        assert!(summary
            .to_string()
            .contains("(counted in its first 22 of 1000000 bytes only)"));
        let whole = summarise_start("s3://b/k", "a,failed,X\n", 11);
        assert!(!whole.truncated);
        assert!(!whole.to_string().contains("counted in"));
    }

    #[test]
    fn in_words() {
        let report = "dir1/big,failed,FileSizeTooLarge\n\"two\nlines\",failed,S3AccessDenied\nx\n";
        let text = summarise("s3://b/r/task-0123456789abcdef0/failures.csv", report).to_string();
        assert_eq!(
            text,
            "2 failed file(s) in s3://b/r/task-0123456789abcdef0/failures.csv\n\
             \x20 FileSizeTooLarge  1\n\
             \x20 S3AccessDenied    1\n\
             Failed files (every one):\n\
             \x20 FileSizeTooLarge  dir1/big\n\
             \x20 S3AccessDenied    two\\nlines\n\
             1 line(s) could not be read:\n\
             \x20 line 4: 1 field(s), not 3\n"
        );
    }

    #[test]
    fn where_the_report_is_looked_for() {
        let keys = |path: &str, task_type: &str| -> Option<Vec<String>> {
            report_objects(path, "task-0123456789abcdef0", task_type)
                .map(|objects| objects.iter().map(ToString::to_string).collect())
        };
        assert_eq!(
            keys("s3://bucket/export/reports/", "EXPORT_TO_REPOSITORY").unwrap(),
            [
                "s3://bucket/export/reports/task-0123456789abcdef0/failures.csv",
                "s3://bucket/export/reports/task-task-0123456789abcdef0/failures.csv",
            ]
        );
        assert_eq!(
            keys("s3://bucket", "IMPORT_METADATA_FROM_REPOSITORY").unwrap(),
            [
                "s3://bucket/task-0123456789abcdef0/report.csv",
                "s3://bucket/task-0123456789abcdef0/failures.csv",
                "s3://bucket/task-task-0123456789abcdef0/report.csv",
                "s3://bucket/task-task-0123456789abcdef0/failures.csv",
            ]
        );
        assert_eq!(keys("/reports", "EXPORT_TO_REPOSITORY"), None);
        assert_eq!(keys("s3:///reports", "EXPORT_TO_REPOSITORY"), None);
    }
}

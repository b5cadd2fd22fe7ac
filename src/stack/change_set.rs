//! A change set in words, whether it can be executed, and whether its failure only means
//! there was nothing to change.

use std::fmt;

use serde::Serialize;

/// One change-set change: what happens to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Add, Modify, Remove, Import or Dynamic, as CloudFormation says.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// For Modify: True, False or Conditional, as CloudFormation says.
    pub replacement: Option<String>,
}

impl Change {
    /// Replacement in words; "-" when it doesn't apply (adds, removes).
    fn replacement_word(&self) -> String {
        match self.replacement.as_deref() {
            None => "-".to_string(),
            Some("True") => "yes".to_string(),
            Some("False") => "no".to_string(),
            Some(other) => other.to_lowercase(),
        }
    }
}

/// A parameter whose value changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterChange {
    pub name: String,
    /// None: the stack didn't have it.
    pub old: Option<String>,
    pub new: String,
}

/// The parameters whose values differ, in the order of `new`. A parameter that is no longer
/// passed is not listed: it takes the template's default, and the resource changes show
/// whether that matters.
pub fn parameter_changes(
    old: &[(String, String)],
    new: &[(String, String)],
) -> Vec<ParameterChange> {
    new.iter()
        .filter_map(|(name, value)| {
            let before = old.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            (before != Some(value)).then(|| ParameterChange {
                name: name.clone(),
                old: before.cloned(),
                new: value.clone(),
            })
        })
        .collect()
}

/// A change set in words: what happens to each resource and parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSetSummary {
    pub changes: Vec<Change>,
    pub parameters: Vec<ParameterChange>,
}

impl ChangeSetSummary {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.parameters.is_empty()
    }
}

impl fmt::Display for ChangeSetSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "No changes: the stack already matches.");
        }
        if self.changes.is_empty() {
            writeln!(f, "No resource changes.")?;
        } else {
            let rows: Vec<[String; 4]> = self
                .changes
                .iter()
                .map(|c| {
                    [
                        c.action.clone(),
                        c.logical_id.clone(),
                        c.resource_type.clone(),
                        c.replacement_word(),
                    ]
                })
                .collect();
            let header = ["ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT"].map(str::to_string);
            let widths: Vec<usize> = (0..4)
                .map(|i| {
                    std::iter::once(&header)
                        .chain(&rows)
                        .map(|r| r[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in std::iter::once(&header).chain(&rows) {
                let line = format!(
                    "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    w0 = widths[0],
                    w1 = widths[1],
                    w2 = widths[2],
                );
                writeln!(f, "{}", line.trim_end())?;
            }
        }
        if !self.parameters.is_empty() {
            writeln!(f)?;
            writeln!(f, "Parameters:")?;
            let width = self
                .parameters
                .iter()
                .map(|p| p.name.chars().count() + 1)
                .max()
                .unwrap_or(0);
            for p in &self.parameters {
                let name = format!("{}:", p.name);
                match &p.old {
                    Some(old) => writeln!(f, "  {name:<width$}  {old} -> {}", p.new)?,
                    None => writeln!(f, "  {name:<width$}  {} (new)", p.new)?,
                }
            }
        }
        Ok(())
    }
}

/// Whether a failed change set's reason only says there was nothing to change, which deploy
/// reports as success. CloudFormation words it two ways, depending on the path taken.
pub fn is_no_changes_reason(reason: &str) -> bool {
    let reason = reason.to_lowercase().replace('\u{2019}', "'");
    reason.contains("didn't contain changes")
        || reason.contains("did not contain changes")
        || reason.contains("no updates are to be performed")
}

/// Whether a created change set (status CREATE_COMPLETE) can be executed, by its
/// ExecutionStatus: only AVAILABLE can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executable {
    Yes,
    /// UNAVAILABLE: CloudFormation may still be getting it ready; ask again.
    Wait,
    No {
        why: &'static str,
    },
}

pub fn change_set_execution(execution_status: &str) -> Executable {
    match execution_status {
        "AVAILABLE" => Executable::Yes,
        "UNAVAILABLE" => Executable::Wait,
        "OBSOLETE" => Executable::No {
            why: "the stack changed after it was made (another deploy or update)",
        },
        "EXECUTE_IN_PROGRESS" | "EXECUTE_COMPLETE" | "EXECUTE_FAILED" => Executable::No {
            why: "someone else has executed it already",
        },
        _ => Executable::No {
            why: "CloudFormation does not offer it for execution",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::fixtures::{FUNCTION, RULE};

    #[test]
    fn parameter_changes_only_what_differs() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        let old = pairs(&[
            ("Schedule", "cron(0 0/6 * * ? *)"),
            ("TaskType", "Export"),
            ("ReleaseAfterDays", "30"),
        ]);
        let new = pairs(&[
            ("Schedule", "rate(1 hour)"),
            ("TaskType", "Export"),
            ("EmailAddress", "ops@example.com"),
        ]);
        assert_eq!(
            parameter_changes(&old, &new),
            [
                ParameterChange {
                    name: "Schedule".into(),
                    old: Some("cron(0 0/6 * * ? *)".into()),
                    new: "rate(1 hour)".into(),
                },
                ParameterChange {
                    name: "EmailAddress".into(),
                    old: None,
                    new: "ops@example.com".into(),
                },
            ]
        );
        assert_eq!(parameter_changes(&old, &old), []);
    }

    fn change(action: &str, logical_id: &str, ty: &str, replacement: Option<&str>) -> Change {
        Change {
            action: action.into(),
            logical_id: logical_id.into(),
            resource_type: ty.into(),
            replacement: replacement.map(str::to_string),
        }
    }

    #[test]
    fn change_set_table() {
        let summary = ChangeSetSummary {
            changes: vec![
                change("Add", "FailedTaskAlarm", "AWS::CloudWatch::Alarm", None),
                change("Modify", "Function", FUNCTION, Some("False")),
                change("Modify", "ScheduleRule", RULE, Some("Conditional")),
                change("Modify", "DeadLetterQueue", "AWS::SQS::Queue", Some("True")),
                change("Remove", "OldAlarm", "AWS::CloudWatch::Alarm", None),
            ],
            parameters: vec![
                ParameterChange {
                    name: "Schedule".into(),
                    old: Some("cron(0 0/6 * * ? *)".into()),
                    new: "rate(1 hour)".into(),
                },
                ParameterChange {
                    name: "CodeKey".into(),
                    old: Some("fsx-drt/lambda-1a2b3c.zip".into()),
                    new: "fsx-drt/lambda-4d5e6f.zip".into(),
                },
                ParameterChange {
                    name: "ReleaseAfterDays".into(),
                    old: None,
                    new: "7".into(),
                },
            ],
        };
        let text = summary.to_string();
        assert!(text.lines().all(|l| !l.ends_with(' ')));
        insta::assert_snapshot!("change_set_table", text);
    }

    #[test]
    fn change_set_without_changes() {
        let empty = ChangeSetSummary {
            changes: vec![],
            parameters: vec![],
        };
        assert_eq!(
            empty.to_string(),
            "No changes: the stack already matches.\n"
        );
        let only_parameters = ChangeSetSummary {
            changes: vec![],
            parameters: vec![ParameterChange {
                name: "Paths".into(),
                old: Some("/".into()),
                new: "/a /b".into(),
            }],
        };
        assert_eq!(
            only_parameters.to_string(),
            "No resource changes.\n\nParameters:\n  Paths:  / -> /a /b\n"
        );
    }

    #[test]
    fn no_changes_reasons() {
        for (reason, none) in [
            (
                "The submitted information didn't contain changes. Submit different \
                 information to create a change set.",
                true,
            ),
            ("No updates are to be performed.", true),
            (
                "The submitted information didn\u{2019}t contain changes.",
                true,
            ),
            ("no updates are to be performed", true),
            (
                "Template format error: Unresolved resource dependencies",
                false,
            ),
            ("", false),
        ] {
            assert_eq!(is_no_changes_reason(reason), none, "{reason}");
        }
    }

    #[test]
    fn only_an_available_change_set_is_executed() {
        assert_eq!(change_set_execution("AVAILABLE"), Executable::Yes);
        assert_eq!(change_set_execution("UNAVAILABLE"), Executable::Wait);
        for status in ["OBSOLETE", "EXECUTE_COMPLETE", "EXECUTE_FAILED", ""] {
            assert!(
                matches!(change_set_execution(status), Executable::No { .. }),
                "{status}"
            );
        }
    }
}

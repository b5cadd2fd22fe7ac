//! Failures and the exit codes they map to. Each exit code means one thing.

use std::fmt;

use serde::Serialize;

use crate::params::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// The operation failed (AWS said no, the stack rolled back, ...).
    Failed,
    /// Invalid input or usage; nothing was touched.
    Invalid,
    /// The stack is in a state only a person can get it out of.
    ManualAction,
    /// The operation is still running when the time allowed ran out.
    TimedOut,
    /// Ctrl-C: fsx-drt stopped; the stack operation, if started, goes on.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Failed => 1,
            Exit::Invalid => 2,
            Exit::ManualAction => 3,
            Exit::TimedOut => 4,
            Exit::Interrupted => 130,
        }
    }
}

/// Why a command did not succeed, with every problem and what to do next.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(skip)]
    pub exit: Exit,
    pub error: String,
    /// What a person needs after the one-line error: a failure report, say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub exit_code: u8,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<String>, help: Option<String>) -> Self {
        Failure {
            exit,
            error: error.into(),
            detail: None,
            problems: Vec::new(),
            help,
            exit_code: exit.code(),
        }
    }

    /// Only an exit code: what went wrong was printed as the result (status: unhealthy).
    pub fn exit_only(exit: Exit) -> Self {
        Failure::new(exit, "", None)
    }

    /// Invalid input: every problem, nothing touched.
    pub fn invalid(what: &str, problems: Vec<Problem>) -> Self {
        let count = problems.len();
        let error = if count == 1 {
            format!("{what}: 1 problem; nothing was changed")
        } else {
            format!("{what}: {count} problems; nothing was changed")
        };
        Failure {
            problems,
            ..Failure::new(Exit::Invalid, error, None)
        }
    }
}

/// The most of one value (or of one word of a message) a failure shows.
const SHOWN_CHARS: usize = 200;
/// The most of a one-line message (error, problem, fix) a failure shows.
const MESSAGE_CHARS: usize = 2_000;

impl Failure {
    /// The failure as it may be shown, on a terminal or as JSON: every control character
    /// escaped (a raw ESC from a value would drive the terminal) and long values cut (a 1 MB
    /// value is not echoed whole). Only the detail keeps its line breaks.
    pub fn shown(&self) -> Failure {
        let line = |text: &str| cut(&cut_words(&escape(text, false)), MESSAGE_CHARS);
        Failure {
            error: line(&self.error),
            detail: self.detail.as_deref().map(|d| cut_words(&escape(d, true))),
            problems: self
                .problems
                .iter()
                .map(|p| Problem {
                    parameter: line(&p.parameter),
                    value: p
                        .value
                        .as_deref()
                        .map(|v| cut(&escape(v, false), SHOWN_CHARS)),
                    source: p.source.as_deref().map(line),
                    problem: line(&p.problem),
                    fix: line(&p.fix),
                })
                .collect(),
            help: self.help.as_deref().map(line),
            ..self.clone()
        }
    }
}

/// Control characters as Rust writes them in strings: `\u{1b}`, `\n`, `\t`.
pub fn escape(text: &str, keep_newlines: bool) -> String {
    text.chars()
        .map(|c| match c {
            '\n' if keep_newlines => c.to_string(),
            c if c.is_control() => c.escape_debug().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `text` up to `max` characters, then how many more there were.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!(
            "{}… ({} more characters)",
            &text[..end],
            text[end..].chars().count()
        ),
        None => text.to_string(),
    }
}

/// Each word (a value quoted in a message, say) up to [`SHOWN_CHARS`].
fn cut_words(text: &str) -> String {
    text.split(' ')
        .map(|word| cut(word, SHOWN_CHARS))
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.error)?;
        if let Some(detail) = &self.detail {
            writeln!(f)?;
            write!(f, "{detail}")?;
        }
        for problem in &self.problems {
            writeln!(f)?;
            for (i, line) in problem.to_string().lines().enumerate() {
                let bullet = if i == 0 { "  - " } else { "    " };
                writeln!(f, "{bullet}{line}")?;
            }
        }
        if let Some(help) = &self.help {
            writeln!(f, "help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_failures_escape_control_characters_and_cut_long_values() {
        let huge = "a".repeat(1_000_000);
        let mut failure = Failure::invalid(
            "bad \u{1b}[2J input",
            vec![Problem {
                parameter: "Paths".into(),
                value: Some(format!("/x\u{1b}]0;owned\u{7}{huge}")),
                source: Some("flag".into()),
                problem: format!("the path /{huge} is too long"),
                fix: "remove \u{9b}31m it".into(),
            }],
        );
        failure.detail = Some("line 1\nline\u{1b} 2\n".into());
        let shown = failure.shown();
        let text = shown.to_string();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:.400}"
        );
        assert!(text.contains(r"bad \u{1b}[2J input"), "{text:.400}");
        assert!(text.contains(r"/x\u{1b}]0;owned\u{7}aaa"), "{text:.400}");
        assert!(text.contains(r"remove \u{9b}31m it"), "{text:.400}");
        assert!(text.contains("line 1\nline\\u{1b} 2\n"), "{text:.400}");
        assert!(text.len() < 2_000, "{}", text.len());
        let value = shown.problems[0].value.as_deref().unwrap();
        assert!(
            value.ends_with("… (999821 more characters)"),
            "{value:.400}"
        );
        assert!(shown.problems[0]
            .problem
            .contains("… (999801 more characters) is too long"));
        // Short, clean messages are shown as they are.
        let plain = Failure::new(
            Exit::Failed,
            "the stack rolled back",
            Some("see status".into()),
        );
        assert_eq!(plain.shown().to_string(), plain.to_string());
    }
}

//! Where output goes, decided here only. Results go to stdout (text or one JSON object);
//! problems go to stderr in text mode and into the JSON object in json mode; progress (one
//! indicatif MultiProgress, so several stacks can show at once) and prompts are on stderr,
//! only when it is a terminal. A closed pipe is not an error.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::error::{escape, Exit, Failure};

/// Text for people, or one JSON object for programs (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

pub struct Printer {
    pub format: OutputFormat,
    /// Every progress display; hidden unless stderr is a terminal and the output is text.
    progress: MultiProgress,
    /// Whose lines these are, when several stacks report at once (`[genomics] ...`).
    prefix: Option<String>,
}

impl Printer {
    pub fn new(format: OutputFormat) -> Self {
        let shown = format == OutputFormat::Text && io::stderr().is_terminal();
        let target = if shown {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            format,
            progress: MultiProgress::with_draw_target(target),
            prefix: None,
        }
    }

    /// The same output for one of several stacks at once (a fleet's member): its lines and
    /// progress displays carry `[name]`, on the one shared display.
    pub fn member(&self, name: &str) -> Printer {
        Printer {
            format: self.format,
            progress: self.progress.clone(),
            prefix: Some(format!("[{name}]")),
        }
    }

    /// Prints a command's result.
    pub fn outcome<T: Display + Serialize>(&self, value: &T) -> Result<(), Failure> {
        match self.format {
            OutputFormat::Text => write_out(&format!("{value}")),
            OutputFormat::Json => write_out(&json(value)),
        }
        .map_err(unwritten)
    }

    /// Prints a failure: to stderr for people, as the JSON result for programs.
    pub fn failure(&self, failure: &Failure) -> io::Result<()> {
        let failure = failure.shown();
        match self.format {
            OutputFormat::Text => {
                let mut err = io::stderr().lock();
                write!(err, "{failure}")
            }
            OutputFormat::Json => write_out(&json(&failure)),
        }
    }

    pub fn is_text(&self) -> bool {
        self.format == OutputFormat::Text
    }

    /// Progress for the person watching: stderr, never part of the result; above any
    /// progress display, so the latest lines stay in view.
    pub fn info(&self, text: &str) {
        let prefixed;
        let text = match &self.prefix {
            Some(prefix) => {
                prefixed = text
                    .lines()
                    .map(|line| format!("{prefix} {line}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                &prefixed
            }
            None => text,
        };
        if self.progress.is_hidden() {
            log(text);
        } else {
            let _ = self.progress.println(escape(text, true));
        }
    }

    /// A remark for the person at the terminal; never part of the result.
    pub fn note(&self, text: &str) {
        self.info(&format!("note: {text}"));
    }

    /// A progress display (an indicatif template) among the others, when there is a terminal
    /// to draw on; None otherwise, and the caller prints lines instead.
    pub fn progress(&self, template: &str) -> Option<ProgressBar> {
        if self.progress.is_hidden() {
            return None;
        }
        let bar = self.progress.add(ProgressBar::new(1));
        let template = match &self.prefix {
            Some(prefix) => format!(
                "{} {template}",
                prefix.replace('{', "{{").replace('}', "}}")
            ),
            None => template.to_string(),
        };
        bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    }

    /// Asks a yes/no question (default no). Ctrl-C or a failed read is no, with the prompt's
    /// line ended first.
    pub fn confirm(&self, question: &str) -> bool {
        dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .unwrap_or_else(|_| {
                log("");
                false
            })
    }

    /// Asks for a line of text, checked by `validate` as it is typed (an empty answer allowed
    /// when `validate` allows it).
    pub fn ask(
        &self,
        prompt: &str,
        validate: impl Fn(&String) -> Result<(), String>,
    ) -> io::Result<String> {
        self.ask_with(prompt, None, validate)
    }

    /// [`Printer::ask`] with a default, shown and taken when the answer is empty.
    pub fn ask_with(
        &self,
        prompt: &str,
        default: Option<&str>,
        validate: impl Fn(&String) -> Result<(), String>,
    ) -> io::Result<String> {
        let mut input = dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .allow_empty(true);
        if let Some(default) = default {
            input = input.default(default.to_string()).show_default(true);
        }
        input
            .validate_with(|value: &String| validate(value))
            .interact_text()
            .map_err(|dialoguer::Error::IO(e)| e)
    }
}

fn json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("outputs serialize");
    text.push('\n');
    text
}

/// A line on stderr for the person watching. A closed or full stderr loses the line, never
/// the command (`eprintln!` would panic); a control character in it (from a stack event or
/// a value) is escaped, as in failures.
pub fn log(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", escape(text, true));
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn write_out(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Output that could not be written (a full disk; a closed pipe is not an error).
pub fn unwritten(e: io::Error) -> Failure {
    Failure::new(
        Exit::Failed,
        format!("could not write the output: {e}"),
        None,
    )
}

/// Key/value pairs (a stack's parameters or outputs) as a JSON object, in their order.
pub fn pairs_map<S: serde::Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests run without a terminal: no progress display, and JSON never gets one.
    #[test]
    fn progress_only_on_a_terminal_for_text() {
        assert!(Printer::new(OutputFormat::Json)
            .progress("{spinner}")
            .is_none());
        if !io::stderr().is_terminal() {
            assert!(Printer::new(OutputFormat::Text)
                .progress("{spinner}")
                .is_none());
        }
    }
}

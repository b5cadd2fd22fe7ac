//! Where output goes. Results go to stdout (text or one JSON object); problems go to stderr
//! in text mode and into the JSON object in json mode. A closed pipe is not an error.

use std::fmt::Display;
use std::io::{self, Write};

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::{escape, Failure};

pub struct Printer {
    pub format: OutputFormat,
}

impl Printer {
    pub fn new(format: OutputFormat) -> Self {
        Self { format }
    }

    /// Prints a command's result.
    pub fn outcome<T: Display + Serialize>(&self, value: &T) -> io::Result<()> {
        match self.format {
            OutputFormat::Text => write_out(&format!("{value}")),
            OutputFormat::Json => write_out(&json(value)),
        }
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

    /// Progress for the person watching: stderr, never part of the result.
    pub fn info(&self, text: &str) {
        log(text);
    }

    /// A remark for the person at the terminal; never part of the result.
    pub fn note(&self, text: &str) {
        log(&format!("note: {text}"));
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

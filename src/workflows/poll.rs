//! The pace of every wait (following a stack, waiting for a task): a poll every 1-2 s,
//! backing off with jitter while throttled (never the SDK's 30-s waiters), a deadline, Ctrl-C,
//! and the progress display on a terminal, closed on every way out.

use std::time::{Duration, Instant};

use super::session::Session;
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::stack;

pub struct Poll<'a> {
    started: Instant,
    timeout: Duration,
    interrupt: &'a Interrupt,
    /// How to pick the wait up again (the help of a timeout or an interruption).
    again: String,
    /// Polls in a row the service throttled.
    pub throttled: u32,
    /// On a terminal, for text output.
    pub bar: Option<indicatif::ProgressBar>,
}

impl<'a> Poll<'a> {
    /// `template`: the indicatif template of the display, shown only on a terminal.
    pub fn new(
        timeout: Duration,
        session: &Session<'a>,
        again: String,
        template: &str,
    ) -> Poll<'a> {
        let bar = session.ui.progress(template);
        Poll {
            started: Instant::now(),
            timeout,
            interrupt: session.interrupt,
            again,
            throttled: 0,
            bar,
        }
    }

    /// The wait is over: the display goes.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// The wait is given up: the display stays as it was.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }

    /// The time allowed has passed.
    pub fn expired(&self) -> bool {
        self.started.elapsed() > self.timeout
    }

    /// Exit 4 once the time allowed has passed; `still` says what is still going on.
    pub fn check_deadline(&self, still: &str) -> Result<(), Failure> {
        if !self.expired() {
            return Ok(());
        }
        self.abandon();
        Err(Failure::new(
            Exit::TimedOut,
            format!("{still} after {}", humantime::format_duration(self.timeout)),
            Some(format!("this is not a failure: {}", self.again)),
        ))
    }

    /// Waits until the next poll, or exit 130 (`stopped`) when Ctrl-C comes first.
    pub async fn pause(&self, stopped: &str) -> Result<(), Failure> {
        let jitter = f64::from(chrono::Utc::now().timestamp_subsec_millis()) / 1000.0;
        let delay = stack::next_poll_delay(self.throttled, jitter);
        self.during(stopped, tokio::time::sleep(delay)).await
    }

    /// `future` (a poll's request), or exit 130 (`stopped`, and how to pick the wait up
    /// again) when Ctrl-C comes first, even when it had come just as an answer did.
    pub async fn during<T>(
        &self,
        stopped: &str,
        future: impl std::future::Future<Output = T>,
    ) -> Result<T, Failure> {
        tokio::select! {
            biased;
            () = self.interrupt.raised() => {
                self.abandon();
                Err(Failure::new(Exit::Interrupted, stopped, Some(self.again.clone())))
            }
            output = future => Ok(output),
        }
    }

    pub fn again(&self) -> &str {
        &self.again
    }
}

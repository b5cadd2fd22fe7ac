//! One stack set operation, from the call to every instance's outcome. StackSets runs one
//! conflicting operation at a time: a call refused with OperationInProgressException (or
//! throttled) is sent again, with the same operation id, until the deadline; a QUEUED or
//! RUNNING operation is waited for. When it ends, each instance's own result is read: an
//! operation SUCCEEDED within its failure tolerance while some instances FAILED.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::{Aws, Error, ErrorKind, OperationResult, OperationView};
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::output::Printer;

/// What an operation runs with.
pub struct Runner<'a> {
    pub aws: &'a Aws,
    pub set: &'a str,
    pub interrupt: &'a Interrupt,
    pub deadline: Instant,
    /// Between two polls of an operation (and the first wait before a call is sent again).
    pub poll: Duration,
}

/// The longest wait between two tries of a refused call.
const MOST_BETWEEN_TRIES: Duration = Duration::from_secs(30);

/// Refused for now, not for good: another operation runs, or too many requests.
fn busy(e: &Error) -> bool {
    e.is(&ErrorKind::Throttled) || e.code() == Some("OperationInProgressException")
}

impl Runner<'_> {
    /// Sends `call` (which carries `operation_id`) until StackSets takes it; the failure is
    /// the call's own, or a timeout / Ctrl-C while it waited its turn.
    pub async fn submit(
        &self,
        ui: &Printer,
        operation_id: &str,
        call: impl AsyncFn() -> Result<(), Error>,
    ) -> Result<(), Failure> {
        let mut wait = self.poll;
        let mut told = false;
        loop {
            let e = match call().await {
                Ok(()) => return Ok(()),
                // A resend whose first try was taken after all.
                Err(e) if e.code() == Some("OperationIdAlreadyExistsException") => return Ok(()),
                Err(e) if busy(&e) => e,
                Err(e) => return Err(e.into()),
            };
            if !told {
                ui.info(&format!(
                    "stack set {} is busy ({}); operation {operation_id} waits its turn",
                    self.set, e.message
                ));
                told = true;
            }
            self.pause(wait, "waiting to start its operation").await?;
            wait = (wait * 2).min(MOST_BETWEEN_TRIES);
        }
    }

    /// Polls the operation until it ends, telling each change of its status.
    pub async fn settle(&self, ui: &Printer, operation_id: &str) -> Result<OperationView, Failure> {
        let mut last = String::new();
        loop {
            let op = self.aws.stack_set_operation(self.set, operation_id).await?;
            if op.status != last {
                ui.info(&format!("operation {operation_id}: {}", op.status));
                last = op.status.clone();
            }
            if op.ended() {
                return Ok(op);
            }
            self.pause(self.poll, &format!("following operation {operation_id}"))
                .await?;
        }
    }

    /// The operation's outcome for every account and region it touched.
    pub async fn results(&self, operation_id: &str) -> Result<Vec<OperationResult>, Failure> {
        Ok(self
            .aws
            .stack_set_operation_results(self.set, operation_id)
            .await?)
    }

    async fn pause(&self, wait: Duration, doing: &str) -> Result<(), Failure> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(Failure::new(
                Exit::TimedOut,
                format!("timed out {doing} on stack set {}", self.set),
                Some(format!(
                    "StackSets goes on by itself; see where it is with fsx-drt status --fleet, or in the console's stack set {} operations",
                    self.set
                )),
            ));
        }
        let stopped = Failure::new(
            Exit::Interrupted,
            format!("interrupted {doing}; an operation already started goes on"),
            None,
        );
        let until = (now + wait).min(self.deadline);
        self.interrupt
            .until_or(stopped, async {
                tokio::time::sleep_until(until).await;
                Ok(())
            })
            .await
    }
}

/// An instance's part in an operation that ended: `Ok` when it succeeded, else why not (its
/// own status reason, or the operation's).
pub fn outcome(
    op: &OperationView,
    results: &[OperationResult],
    account: &str,
    region: &str,
) -> Result<(), String> {
    let mine = (results.iter()).find(|r| r.account == account && r.region == region);
    match mine {
        Some(r) if r.status == "SUCCEEDED" => Ok(()),
        Some(r) => Err(format!(
            "{}{}",
            r.status,
            r.reason
                .as_ref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        )),
        // No result of its own: the operation's status is all there is.
        None if op.status == "SUCCEEDED" => Ok(()),
        None => Err(format!(
            "operation {}{}",
            op.status,
            op.reason
                .as_ref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(account: &str, status: &str, reason: Option<&str>) -> OperationResult {
        OperationResult {
            account: account.into(),
            region: "eu-west-1".into(),
            status: status.into(),
            reason: reason.map(String::from),
        }
    }

    #[test]
    fn an_instance_s_own_result_wins_over_the_operation_s_status() {
        let succeeded = OperationView {
            status: "SUCCEEDED".into(),
            reason: None,
        };
        let results = [
            result("111111111111", "SUCCEEDED", None),
            result("222222222222", "FAILED", Some("Resource CREATE_FAILED")),
        ];
        assert_eq!(
            outcome(&succeeded, &results, "111111111111", "eu-west-1"),
            Ok(())
        );
        assert_eq!(
            outcome(&succeeded, &results, "222222222222", "eu-west-1"),
            Err("FAILED: Resource CREATE_FAILED".into()),
            "SUCCEEDED with a failed instance is that instance's failure"
        );
        let failed = OperationView {
            status: "FAILED".into(),
            reason: Some("tolerance exceeded".into()),
        };
        assert_eq!(
            outcome(&failed, &[], "333333333333", "eu-west-1"),
            Err("operation FAILED: tolerance exceeded".into())
        );
        assert_eq!(
            outcome(&succeeded, &[], "333333333333", "eu-west-1"),
            Ok(())
        );
        assert_eq!(
            outcome(
                &failed,
                &[result("333333333333", "CANCELLED", None)],
                "333333333333",
                "eu-west-1"
            ),
            Err("CANCELLED".into())
        );
    }
}

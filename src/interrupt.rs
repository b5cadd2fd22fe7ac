//! Ctrl-C as a value a command can wait on at the moments it matters (while a change set is
//! being made, while following a stack), so each can clean up or say how to re-attach.
//! Tests raise it themselves instead of signalling their own process.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

use crate::error::{Exit, Failure};

/// Ctrl-C before anything was changed.
pub const UNCHANGED: &str = "interrupted; nothing was changed";

/// Exit 130 with [`UNCHANGED`].
pub fn unchanged() -> Failure {
    Failure::new(Exit::Interrupted, UNCHANGED, None)
}

/// Becomes true once; every clone sees it.
#[derive(Clone, Debug)]
pub struct Interrupt {
    raised: watch::Receiver<bool>,
    /// Clean-ups under way that Ctrl-C asked for ([`Interrupt::shielded`]).
    cleanups: Arc<watch::Sender<usize>>,
}

/// Raises an [`Interrupt`] made by [`Interrupt::manual`].
#[derive(Debug)]
pub struct Trigger(watch::Sender<bool>);

impl Trigger {
    pub fn raise(&self) {
        let _ = self.0.send(true);
    }
}

impl Interrupt {
    /// Raised by the first Ctrl-C (SIGINT). Needs a tokio runtime; from then on SIGINT no
    /// longer ends the process by itself, so commands must wait on this where they block.
    pub fn ctrl_c() -> Interrupt {
        let (trigger, interrupt) = Interrupt::manual();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                trigger.raise();
            }
            // Keep the sender: a dropped one must not read as an interruption.
            std::future::pending::<()>().await;
        });
        interrupt
    }

    /// Raised only through the returned trigger.
    pub fn manual() -> (Trigger, Interrupt) {
        let (sender, receiver) = watch::channel(false);
        let interrupt = Interrupt {
            raised: receiver,
            cleanups: Arc::new(watch::channel(0).0),
        };
        (Trigger(sender), interrupt)
    }

    /// Never raised.
    pub fn never() -> Interrupt {
        let (trigger, interrupt) = Interrupt::manual();
        std::mem::forget(trigger);
        interrupt
    }

    /// `future`, unless Ctrl-C comes first: then exit 130 with `message` (what was left).
    pub async fn until<T>(
        &self,
        message: &str,
        future: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        self.until_or(Failure::new(Exit::Interrupted, message, None), future)
            .await
    }

    /// `future`, unless Ctrl-C comes first: then `stopped`.
    pub async fn until_or<T>(
        &self,
        stopped: Failure,
        future: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::select! {
            biased;
            () = self.raised() => Err(stopped),
            result = future => result,
        }
    }

    /// A whole command: `work`, unless Ctrl-C comes while `work` does not answer it itself
    /// (with [`Interrupt::until`], a poll's pause, or a clean-up under
    /// [`Interrupt::shielded`]): then `stopped` (exit 130), dropping any request in flight.
    pub async fn around<T>(
        &self,
        stopped: Failure,
        work: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        let unanswered = async {
            self.raised().await;
            // The sender is held here, so this ends only when no clean-up is under way.
            let _ = self.cleanups.subscribe().wait_for(|n| *n == 0).await;
        };
        tokio::select! {
            // `work` first: where it answers Ctrl-C, its answer is the one given.
            biased;
            result = work => result,
            () = unanswered => Err(stopped),
        }
    }

    /// `future` to its end even when Ctrl-C comes: the clean-up an interruption asked for
    /// (deleting what was only prepared) is not itself cut short by [`Interrupt::around`].
    pub async fn shielded<T>(&self, future: impl Future<Output = T>) -> T {
        struct Done<'a>(&'a watch::Sender<usize>);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.send_modify(|n| *n -= 1);
            }
        }
        self.cleanups.send_modify(|n| *n += 1);
        let _done = Done(&self.cleanups);
        future.await
    }

    pub fn is_raised(&self) -> bool {
        *self.raised.borrow()
    }

    /// Completes once raised (at once if it already was); never if it cannot be raised.
    pub async fn raised(&self) {
        let mut receiver = self.raised.clone();
        if receiver.wait_for(|raised| *raised).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Runs `prompts` (outside any runtime) with SIGINT caught. Ctrl-C at a prompt makes the
/// terminal library raise SIGINT, which by default ends the process before the failure (and
/// its JSON object) is printed; caught, the prompt returns an interrupted read instead.
pub fn catching_ctrl_c<T>(prompts: impl FnOnce() -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let _context = runtime.enter();
    // Registering installs the handler; nothing needs to read it.
    let _signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    prompts()
}

/// Runs a command's AWS work from its synchronous start, with Ctrl-C caught and raced against
/// all of it: Ctrl-C ends whatever request is in flight at once (`stopped`, exit 130), unless
/// the work answers it itself (saying how to re-attach, or cleaning up). Commands that make no
/// AWS call never start a runtime, which keeps them instant.
pub fn block_on<T>(
    stopped: Failure,
    work: impl AsyncFnOnce(&Interrupt) -> Result<T, Failure>,
) -> Result<T, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(async {
            let interrupt = Interrupt::ctrl_c();
            interrupt.around(stopped, work(&interrupt)).await
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn raised_once_seen_by_every_clone() {
        let (trigger, interrupt) = Interrupt::manual();
        let other = interrupt.clone();
        assert!(!interrupt.is_raised());
        trigger.raise();
        interrupt.raised().await;
        other.raised().await;
        assert!(other.is_raised());
    }

    #[tokio::test(start_paused = true)]
    async fn around_stops_work_that_does_not_answer_but_lets_answers_and_cleanups_finish() {
        let hour = std::time::Duration::from_secs(3600);
        let stopped = || Failure::new(Exit::Interrupted, "stopped", None);
        let (trigger, interrupt) = Interrupt::manual();
        trigger.raise();
        // A request that never answers.
        let hung = std::future::pending::<Result<(), Failure>>();
        let failure = interrupt.around(stopped(), hung).await.unwrap_err();
        assert_eq!(
            (failure.exit, failure.error.as_str()),
            (Exit::Interrupted, "stopped")
        );
        // Work that answers Ctrl-C itself says what it says.
        let answered = interrupt.until("answered", std::future::pending::<Result<(), _>>());
        let failure = interrupt.around(stopped(), answered).await.unwrap_err();
        assert_eq!(failure.error, "answered");
        // A clean-up runs to its end, however long it takes.
        let cleanup = async {
            interrupt.shielded(tokio::time::sleep(hour)).await;
            Ok("cleaned up")
        };
        assert_eq!(
            interrupt.around(stopped(), cleanup).await.unwrap(),
            "cleaned up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_trigger_is_not_an_interruption() {
        let (trigger, interrupt) = Interrupt::manual();
        drop(trigger);
        let waited =
            tokio::time::timeout(std::time::Duration::from_secs(60), interrupt.raised()).await;
        assert!(waited.is_err(), "raised() returned without a raise");
        assert!(!Interrupt::never().is_raised());
    }
}

//! Ctrl-C as a value a command can wait on at the moments it matters (while a change set is
//! being made, while following a stack), so each can clean up or say how to re-attach.
//! Tests raise it themselves instead of signalling their own process.

use tokio::sync::watch;

use crate::error::{Exit, Failure};

/// Becomes true once; every clone sees it.
#[derive(Clone, Debug)]
pub struct Interrupt(watch::Receiver<bool>);

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
        (Trigger(sender), Interrupt(receiver))
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
        future: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::select! {
            biased;
            () = self.raised() => Err(Failure::new(Exit::Interrupted, message, None)),
            result = future => result,
        }
    }

    pub fn is_raised(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes once raised (at once if it already was); never if it cannot be raised.
    pub async fn raised(&self) {
        let mut receiver = self.0.clone();
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
    async fn a_dropped_trigger_is_not_an_interruption() {
        let (trigger, interrupt) = Interrupt::manual();
        drop(trigger);
        let waited =
            tokio::time::timeout(std::time::Duration::from_secs(60), interrupt.raised()).await;
        assert!(waited.is_err(), "raised() returned without a raise");
        assert!(!Interrupt::never().is_raised());
    }
}

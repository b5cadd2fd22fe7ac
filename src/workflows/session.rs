//! What every workflow runs with: the AWS clients for one account and region, the UI (the
//! one owner of what is printed and asked), the interrupt (Ctrl-C), and whether a person
//! can be asked.

use crate::aws::{Aws, Connection};
use crate::error::{Exit, Failure};
use crate::interrupt::{block_on, Interrupt};
use crate::output::Printer;

pub struct Session<'a> {
    pub aws: &'a Aws,
    pub ui: &'a Printer,
    pub interrupt: &'a Interrupt,
    /// A person can answer prompts: terminals on stdin and stderr, and no `--no-input`.
    pub interactive: bool,
}

/// Connects to AWS and runs `work` in a session, with Ctrl-C caught (`stopped` is the
/// failure when it ends the work, see [`block_on`]).
pub fn start<T>(
    connection: &Connection,
    ui: &Printer,
    interactive: bool,
    stopped: Failure,
    work: impl AsyncFnOnce(&Session<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    block_on(stopped, async |interrupt| {
        let aws = Aws::connect(connection).await?;
        let session = Session {
            aws: &aws,
            ui,
            interrupt,
            interactive,
        };
        work(&session).await
    })
}

impl Session<'_> {
    /// `yes` approves; a person at a terminal is asked; anyone else gets exit 2 and the
    /// hint. `cancel` undoes what was prepared when the answer is no.
    pub async fn approve<F, Fut>(
        &self,
        yes: bool,
        question: &str,
        declined: &str,
        cancel: F,
    ) -> Result<(), Failure>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(), Failure>>,
    {
        if yes {
            return Ok(());
        }
        if !self.interactive {
            cancel().await?;
            return Err(Failure::new(
                Exit::Invalid,
                "approval needed, and nobody can be asked (no terminal, or --no-input)",
                Some("review the changes above, then run again with --yes".into()),
            ));
        }
        if self.ui.confirm(question) {
            Ok(())
        } else {
            cancel().await?;
            Err(Failure::new(
                Exit::Interrupted,
                format!("not approved; {declined}"),
                None,
            ))
        }
    }
}

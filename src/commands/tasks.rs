//! `fsx-drt tasks`, `fsx-drt tasks cancel TASK_ID` and `fsx-drt tasks report TASK_ID`.

use crate::cli::{GlobalArgs, TasksAction, TasksArgs};
use crate::error::{Exit, Failure};
use crate::interrupt::unchanged;
use crate::output::Printer;
use crate::task::{check_lifecycle, check_task_id, invalid};
use crate::workflows::tasks::{self, Outcome};
use crate::workflows::{check_stack_name, session};

pub fn run(args: &TasksArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let connection = global.connection();
    let outcome = match &args.action {
        Some(TasksAction::Cancel(cancel_args)) => {
            let id = &cancel_args.task_id;
            check_task_id(id)?;
            let stopped = Failure::new(
                Exit::Interrupted,
                format!("interrupted; the cancellation of {id} may have been sent all the same"),
                Some("see fsx-drt tasks --stack-name NAME".into()),
            );
            session::start(&connection, ui, false, stopped, async |session| {
                tasks::cancel(session.aws, id).await.map(Outcome::Canceled)
            })?
        }
        Some(TasksAction::Report(report_args)) => {
            let id = &report_args.task_id;
            check_task_id(id)?;
            let stack_name = report_args.stack_name.as_deref();
            if let Some(name) = stack_name {
                check_stack_name(name)?;
            }
            session::start(&connection, ui, false, unchanged(), async |session| {
                tasks::report(session.aws, stack_name, id)
                    .await
                    .map(|report| Outcome::Report(Box::new(report)))
            })?
        }
        None => {
            // clap requires --stack-name without a subcommand.
            let stack_name = args.stack_name.as_deref().unwrap_or_default();
            check_stack_name(stack_name)?;
            let lifecycle = check_lifecycle(args.lifecycle.as_deref())?;
            if args.limit == 0 {
                return Err(invalid(
                    "--limit",
                    "0",
                    "it must be at least 1",
                    "give how many tasks to show, e.g. --limit 20",
                ));
            }
            session::start(&connection, ui, false, unchanged(), async |session| {
                tasks::list(session.aws, stack_name, lifecycle.as_deref(), args.limit)
                    .await
                    .map(Outcome::List)
            })?
        }
    };
    ui.outcome(&outcome)
}

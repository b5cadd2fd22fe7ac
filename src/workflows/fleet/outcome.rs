//! A fleet's result: a row per member and a summary, as one table (text) or
//! `{"members": [...], "summary": {...}}` (JSON); and the exit code it makes.

use std::fmt;

use serde::Serialize;

use super::Member;
use crate::error::{Exit, Failure};

/// How one member's part ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Succeeded,
    Failed,
    /// Not begun: Ctrl-C, `--fail-fast` after a failure, or the approval was declined.
    NotStarted,
}

#[derive(Debug, Serialize)]
pub struct MemberResult {
    pub member: String,
    /// The account the stack is in (the caller's), when it was asked.
    pub account: Option<String>,
    pub region: String,
    pub stack_name: String,
    pub file_system_id: String,
    /// What was done: validate, diff, create, update, none, status, delete.
    pub operation: String,
    pub state: State,
    /// In words: the stack's status, the changes, or why it failed.
    pub result: String,
    /// The definition's next scheduled run (UTC).
    pub next_run: Option<String>,
    /// The file system's latest task (status only): id and lifecycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_task: Option<String>,
    /// The change set kept for review (`--change-set-only`) or executed: its ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_set: Option<String>,
    /// The member's failure, with its exit code, problems and help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// The member's own outcome, as the single-stack command gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl MemberResult {
    /// A row for `member` before anything is known; the caller fills in the rest.
    pub fn new(member: &Member, operation: &str) -> MemberResult {
        let now = chrono::Utc::now();
        let next_run = (member.definition.schedules.iter())
            .filter(|s| s.enabled)
            .filter_map(|s| s.upcoming(now, 1).into_iter().next())
            .min()
            .map(|t| t.format("%Y-%m-%dT%H:%MZ").to_string());
        MemberResult {
            member: member.name.clone(),
            account: member.account.clone(),
            region: member.region.clone(),
            stack_name: member.stack_name.clone(),
            file_system_id: member.definition.file_system_id.to_string(),
            operation: operation.to_string(),
            state: State::NotStarted,
            result: "not started".into(),
            next_run,
            latest_task: None,
            change_set: None,
            failure: None,
            detail: None,
        }
    }

    pub fn failed(&mut self, failure: Failure) {
        self.state = State::Failed;
        self.result = match failure.exit {
            Exit::TimedOut => format!("timed out: {}", failure.error),
            Exit::Interrupted => format!("interrupted: {}", failure.error),
            _ => format!("failed: {}", failure.error),
        };
        self.failure = Some(failure.shown());
    }

    pub fn succeeded(&mut self, result: impl Into<String>, detail: &impl Serialize) {
        self.state = State::Succeeded;
        self.result = result.into();
        self.detail = serde_json::to_value(detail).ok();
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub succeeded: usize,
    pub failed: usize,
    pub not_started: usize,
}

#[derive(Debug, Serialize)]
pub struct Fleet {
    pub members: Vec<MemberResult>,
    pub summary: Summary,
}

impl Fleet {
    pub fn new(members: Vec<MemberResult>) -> Fleet {
        let mut summary = Summary::default();
        for member in &members {
            match member.state {
                State::Succeeded => summary.succeeded += 1,
                State::Failed => summary.failed += 1,
                State::NotStarted => summary.not_started += 1,
            }
        }
        Fleet { members, summary }
    }

    /// None when every member succeeded. Ctrl-C is 130 (members not yet started were not);
    /// any other failure 1, unless every one was a timeout (4: the operations go on).
    pub fn exit(&self, interrupted: bool) -> Option<Exit> {
        if interrupted {
            return Some(Exit::Interrupted);
        }
        let exits: Vec<Exit> = (self.members.iter())
            .filter(|m| m.state != State::Succeeded)
            .map(|m| m.failure.as_ref().map_or(Exit::Failed, |f| f.exit))
            .collect();
        match exits.as_slice() {
            [] => None,
            all if all.iter().all(|e| *e == Exit::TimedOut) => Some(Exit::TimedOut),
            _ => Some(Exit::Failed),
        }
    }
}

impl fmt::Display for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let mut rows = vec![[
            "MEMBER",
            "ACCOUNT",
            "REGION",
            "STACK",
            "FILE SYSTEM",
            "OPERATION",
            "RESULT",
            "NEXT RUN",
            "LATEST TASK",
            "CHANGE SET",
        ]
        .map(String::from)];
        for m in &self.members {
            rows.push([
                m.member.clone(),
                dash(&m.account),
                m.region.clone(),
                m.stack_name.clone(),
                m.file_system_id.clone(),
                m.operation.clone(),
                m.result.clone(),
                dash(&m.next_run),
                dash(&m.latest_task),
                dash(&m.change_set),
            ]);
        }
        // The latest task (status) and the change set (reviewed deploys) only when some
        // member has one: no column of dashes.
        let shown = |c: usize| match c {
            8 => self.members.iter().any(|m| m.latest_task.is_some()),
            9 => self.members.iter().any(|m| m.change_set.is_some()),
            _ => true,
        };
        let columns: Vec<usize> = (0..10).filter(|c| shown(*c)).collect();
        let widths: Vec<usize> = (0..10)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let cells: Vec<String> = (columns.iter())
                .map(|&c| format!("{:<w$}", row[c], w = widths[c]))
                .collect();
            writeln!(f, "{}", cells.join("  ").trim_end())?;
        }
        let s = &self.summary;
        writeln!(
            f,
            "\n{} succeeded, {} failed, {} not started.",
            s.succeeded, s.failed, s.not_started
        )?;
        for m in self.members.iter().filter(|m| m.failure.is_some()) {
            let failure = m.failure.as_ref().expect("filtered");
            write!(f, "\n[{}] ", m.member)?;
            write!(f, "{failure}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: State, exit: Option<Exit>) -> MemberResult {
        MemberResult {
            member: "m".into(),
            account: None,
            region: "us-east-1".into(),
            stack_name: "s".into(),
            file_system_id: "fs-0123456789abcdef0".into(),
            operation: "deploy".into(),
            state,
            result: String::new(),
            next_run: None,
            latest_task: None,
            change_set: None,
            failure: exit.map(|e| Failure::new(e, "x", None)),
            detail: None,
        }
    }

    #[test]
    fn exit_is_0_all_succeeded_4_only_timeouts_1_any_other_failure_130_interrupted() {
        let ok = || row(State::Succeeded, None);
        let timed_out = || row(State::Failed, Some(Exit::TimedOut));
        let failed = || row(State::Failed, Some(Exit::Failed));
        let cases = [
            (vec![ok(), ok()], false, None),
            (vec![ok(), timed_out()], false, Some(Exit::TimedOut)),
            (vec![timed_out(), failed()], false, Some(Exit::Failed)),
            (
                vec![ok(), row(State::NotStarted, None)],
                false,
                Some(Exit::Failed),
            ),
            (vec![ok(), ok()], true, Some(Exit::Interrupted)),
        ];
        for (rows, interrupted, exit) in cases {
            let fleet = Fleet::new(rows);
            assert_eq!(fleet.exit(interrupted), exit, "{fleet}");
        }
        let fleet = Fleet::new(vec![ok(), failed(), row(State::NotStarted, None)]);
        assert_eq!(
            (
                fleet.summary.succeeded,
                fleet.summary.failed,
                fleet.summary.not_started
            ),
            (1, 1, 1)
        );
    }
}

//! Tests against AWS's APIs, one test binary (each links the whole SDK): canned answers from
//! aws-smithy-mocks for what an emulator cannot produce (timing, throttling, faults, every
//! stack state), the local emulator for what lands in "AWS", and an endpoint that is not there.

mod common;

mod aws_mocks;
mod capacity;
mod deferrals;
mod deferred_runs;
mod deploy_flow;
pub(crate) mod emulator;
mod faults;
mod fleet;
mod fleet_accounts;
mod follow_ups;
mod pipelines;
mod run_tasks;
#[path = "../../examples/scheduler.rs"]
#[allow(dead_code)] // its main is the example's
mod scheduler;
mod schedules;
mod stack_sets;
mod task_reports;
mod unreachable;

//! Tests against AWS's APIs, one test binary (each links the whole SDK): canned answers from
//! aws-smithy-mocks for what an emulator cannot produce (timing, throttling, faults, every
//! stack state), the local emulator for what lands in "AWS", and an endpoint that is not there.

mod common;

mod aws_mocks;
mod deploy_flow;
pub(crate) mod emulator;
mod faults;
mod follow_ups;
mod pipelines;
mod run_tasks;
mod schedules;
mod task_reports;
mod unreachable;

//! Tests that need no AWS at all, one test binary: the command line as a user runs it, with
//! definitions of several schedules, the template as CloudFormation reads it, and next fire
//! times against Quartz (in UTC and in time zones).

mod cli;
mod cron_quartz;
mod definitions;
mod fleet;
mod layout;
mod options;
mod template;
mod zones;

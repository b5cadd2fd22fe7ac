//! The command line, as clap types. Values are parsed into plain data here and validated by
//! the domain modules, so every problem is reported the same way (and all at once).

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::{Connection, StackOptions};
use crate::params::{Param, Values};
use crate::workflows::deploy::DeployRequest;
use crate::workflows::inputs::Inputs;

#[derive(Debug, Parser)]
#[command(
    name = "fsx-drt",
    version,
    // A flag given twice takes its last value, so wrappers can append overrides.
    args_override_self = true,
    about = "Schedule Amazon FSx for Lustre data repository tasks (export, import, release)",
    long_about = "Schedule Amazon FSx for Lustre data repository tasks (export, import, release).\n\n\
        fsx-drt deploys EventBridge Scheduler schedules, each in its own time zone, that invoke a \
        Lambda function which creates a data \
        repository task for chosen paths of one file system, with an alarm that mails you when \
        runs or tasks fail.",
    after_help = "Exit codes: 0 ok, 1 the operation failed, 2 invalid input or usage, \
        3 needs manual action, 4 timed out, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: text for people, json for programs (one object on stdout).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Never prompt; fail with a hint instead (also implied when stdin is not a terminal).
    #[arg(long, global = true)]
    pub no_input: bool,
    /// AWS region (default: AWS_REGION or the profile's region).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// AWS profile (default: AWS_PROFILE or the default profile).
    #[arg(long, global = true, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Log every AWS request and its outcome to stderr (credentials are never shown).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

const PARAMETER_SOURCES: &str = "Each parameter may also come from the environment: \
    FSX_DRT_FILE_SYSTEM_ID, FSX_DRT_SCHEDULE, FSX_DRT_PATHS, FSX_DRT_TASK_TYPE, \
    FSX_DRT_TASK_COMPLETION_REPORT_PATH, FSX_DRT_EMAIL_ADDRESS, FSX_DRT_RELEASE_AFTER_DAYS, \
    FSX_DRT_LOG_RETENTION_DAYS, FSX_DRT_ALARM_TOPIC_ARN, FSX_DRT_FOLLOW_UP_CAP_MINUTES. Flags win over the parameters file, which wins over the \
    environment; prompts ask for what is still missing (terminal only), then defaults apply.";

pub use crate::output::OutputFormat;

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[OutputFormat::Text, OutputFormat::Json]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
        }))
    }
}

// Parsed once per process; boxing the larger variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check parameters offline; print them and the next run times.
    #[command(after_help = PARAMETER_SOURCES)]
    Validate(ValidateArgs),
    /// Print the next fire times of a schedule expression (in UTC, or --timezone).
    Schedule(ScheduleArgs),
    /// Print the CloudFormation template deploy uses.
    Template(TemplateArgs),
    /// Print the exact CreateDataRepositoryTask request each scheduled run sends.
    #[command(after_help = PARAMETER_SOURCES)]
    Plan(PlanArgs),
    /// Show the Lambda artifact deploy would upload (size, sha256, bucket key).
    Artifact(ArtifactArgs),
    /// Create or update the scheduler stack: validate, check, change set, approve, follow.
    #[command(after_help = PARAMETER_SOURCES)]
    Deploy(DeployCommand),
    /// Show what deploy would change, changing nothing: the change set is made, shown and
    /// deleted (exit 0 with or without changes).
    #[command(after_help = PARAMETER_SOURCES)]
    Diff(DeployArgs),
    /// Show the stack, its schedule, alarms, email subscription and recent tasks.
    Status(StatusArgs),
    /// Delete the scheduler stack (and its artifact when no other stack uses it).
    Destroy(DestroyArgs),
    /// Run the scheduled work now: invoke the deployed function (or, with --direct, create
    /// the task from here with the same code), then optionally wait for the task.
    Run(RunArgs),
    /// Disable a schedule (or all of them) with a deploy of the stack's own schedules.
    Pause(SwitchArgs),
    /// Enable a schedule (or all of them) again, the same way.
    Resume(SwitchArgs),
    /// List the data repository tasks of the stack's file system, or cancel one.
    Tasks(TasksArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one per command into a directory.
    #[command(name = "man")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The template deploy renders for this definition (several schedules: one resource
    /// each); without it, the template as written, which the reference's parameters fill.
    #[arg(long, value_name = "FILE")]
    pub parameters_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    #[arg(long, value_name = "NAME")]
    pub stack_name: String,
    /// Only this schedule (default: every schedule of the stack).
    #[arg(long, value_name = "NAME")]
    pub schedule: Option<String>,
    /// Approve the change without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stop following the stack after this long (exit 4; the update goes on).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[arg(long, value_name = "NAME")]
    pub stack_name: String,
    /// Follow the task until it ends; exit 1 if it failed or has failed files.
    #[arg(long)]
    pub wait: bool,
    /// Create the task from here with the function's own code, instead of invoking the
    /// function (for a local emulator, or when the function cannot be invoked).
    #[arg(long)]
    pub direct: bool,
    /// With --wait: stop waiting after this long (exit 4; the task goes on).
    #[arg(long, value_name = "DURATION", default_value = "6h", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Run this schedule's task now (default: the stack's only schedule).
    #[arg(long, value_name = "NAME")]
    pub schedule: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TasksArgs {
    #[command(subcommand)]
    pub action: Option<TasksAction>,
    #[arg(long, value_name = "NAME", required = true)]
    pub stack_name: Option<String>,
    /// Only tasks in this lifecycle: PENDING, EXECUTING, FAILED, SUCCEEDED, CANCELED or CANCELING.
    #[arg(long, value_name = "LIFECYCLE")]
    pub lifecycle: Option<String>,
    /// Show at most this many, newest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum TasksAction {
    /// Cancel a PENDING or EXECUTING task.
    Cancel(CancelArgs),
    /// Summarise a task's completion report: failed files per error code, the first 20.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The task's id (task-...).
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,
    /// Check that the task ran on this stack's file system.
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The task's id (task-...).
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write fsx-drt.1 and fsx-drt-COMMAND.1 for every command here instead.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Default, Args)]
pub struct DeployArgs {
    /// The CloudFormation stack to create or update.
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "fleet",
        default_value = "",
        hide_default_value = true
    )]
    pub stack_name: String,
    /// A fleet file: one stack per member (Defaults merged into each of Members), several
    /// at once; a table of members as the result (see the README, Fleets).
    #[arg(long, value_name = "FILE", help_heading = FLEET,
          conflicts_with_all = ["stack_name", "ParamArgs", "guided", "outputs_file", "tags", "role_arn",
                                "notification_arns", "permissions_boundary", "termination_protection",
                                "revert_drift", "artifact_bucket", "any_stack"])]
    pub fleet: Option<PathBuf>,
    /// With --fleet: how many members work at once (members of one region start at least
    /// 0.5 s apart).
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = FLEET, requires = "fleet",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    #[command(flatten)]
    pub stack_set: StackSetArgs,
    /// Use this Lambda zip instead of the one built into fsx-drt.
    #[arg(long, value_name = "PATH")]
    pub lambda_zip: Option<PathBuf>,
    /// Bucket for the Lambda artifact [default: fsx-drt-artifacts-ACCOUNT-REGION, created on first use].
    #[arg(long, value_name = "BUCKET")]
    pub artifact_bucket: Option<String>,
    /// Approve the change set without asking (needed without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stop following after this long (exit 4; the stack operation goes on).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Also write the stack's outputs to this file as a JSON object.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// Act on the stack even though fsx-drt did not make it (its template is not fsx-drt's
    /// or the reference solution's). Without it such a stack is left alone (exit 2).
    #[arg(long)]
    pub any_stack: bool,
    /// Ask for every setting (current values offered, each answer checked at once) and
    /// offer to save the answers as a definition file.
    #[arg(long)]
    pub guided: bool,
    /// Stack tags, KEY=VALUE,...: CloudFormation propagates them to the resources. Over the
    /// parameters file's Tags key by key; none given: the stack keeps its tags.
    #[arg(long, value_name = "TAGS")]
    pub tags: Option<String>,
    /// The CloudFormation service role to deploy (and later delete) with.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// SNS topics told of the stack's events, comma-separated.
    #[arg(long, value_name = "ARNS", value_delimiter = ',')]
    pub notification_arns: Vec<String>,
    /// An IAM policy set as the permissions boundary of every role the stack creates
    /// ("" removes it).
    #[arg(long, value_name = "ARN")]
    pub permissions_boundary: Option<String>,
    /// Turn the stack's termination protection on or off (default: as it is).
    #[arg(long, value_name = "on|off", value_parser = parse_on_off)]
    pub termination_protection: Option<bool>,
    /// Put back what was changed outside CloudFormation (drift, as status shows it): the
    /// update's change set is drift-aware and resets drifted properties to the template's.
    #[arg(long)]
    pub revert_drift: bool,
    #[command(flatten)]
    pub params: ParamArgs,
}

/// `deploy`: [`DeployArgs`] (shared with `diff`) and the two halves of a reviewed pipeline.
#[derive(Debug, Args)]
pub struct DeployCommand {
    #[command(flatten)]
    pub args: DeployArgs,
    /// Make the change set and keep it for review: print its name and ARN, change nothing
    /// (exit 0). Execute it later with --execute-change-set. With --fleet: every member's,
    /// under one name.
    #[arg(
        long,
        help_heading = REVIEWED,
        conflicts_with_all = ["execute_change_set", "termination_protection", "outputs_file"]
    )]
    pub change_set_only: bool,
    /// Execute a change set made with --change-set-only (its name or ARN), then follow the
    /// stack. Refused when the stack changed since it was made. The change set holds the
    /// template, parameters and tags, so none of those are given here. With --fleet: each
    /// member's change set of that name (a refused member fails, the others go on).
    #[arg(long, value_name = "NAME", help_heading = REVIEWED, conflicts_with_all = EXECUTE_CONFLICTS)]
    pub execute_change_set: Option<String>,
    /// With --fleet: once a member fails, start no other (by default the others go on).
    #[arg(long, help_heading = FLEET, requires = "fleet")]
    pub fail_fast: bool,
}

const REVIEWED: &str = "Reviewed deploy (two steps)";
const FLEET: &str = "Fleet (one stack per member of a file)";

/// What a reviewed change set already holds (`ParamArgs`: the group of every parameter flag).
const EXECUTE_CONFLICTS: [&str; 9] = [
    "revert_drift",
    "ParamArgs",
    "guided",
    "lambda_zip",
    "artifact_bucket",
    "tags",
    "role_arn",
    "notification_arns",
    "permissions_boundary",
];

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "fleet",
        default_value = "",
        hide_default_value = true
    )]
    pub stack_name: String,
    /// A fleet file: one stack per member (Defaults merged into each of Members), several
    /// at once; a table of members as the result (see the README, Fleets).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["stack_name", "watch", "any_stack"])]
    pub fleet: Option<PathBuf>,
    /// Follow an operation in progress to its end first.
    #[arg(long)]
    pub watch: bool,
    /// Act on the stack even though fsx-drt did not make it (its template is not fsx-drt's
    /// or the reference solution's). Without it such a stack is left alone (exit 2).
    #[arg(long)]
    pub any_stack: bool,
    /// Stop watching after this long (exit 4).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Skip drift detection (by default status asks CloudFormation whether the resources
    /// still match the template, waits up to a minute, and exits 1 when they drifted).
    #[arg(long)]
    pub no_drift: bool,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "fleet",
        default_value = "",
        hide_default_value = true
    )]
    pub stack_name: String,
    /// A fleet file: one stack per member (Defaults merged into each of Members), several
    /// at once; a table of members as the result (see the README, Fleets).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["stack_name", "retain", "any_stack", "role_arn"])]
    pub fleet: Option<PathBuf>,
    /// Delete without asking (needed without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// After a deletion failed (DELETE_FAILED): keep this resource (logical id) in the
    /// account, no longer managed, and delete the rest. Repeatable.
    #[arg(long, value_name = "LOGICAL_ID")]
    pub retain: Vec<String>,
    /// Act on the stack even though fsx-drt did not make it (its template is not fsx-drt's
    /// or the reference solution's). Without it such a stack is left alone (exit 2).
    #[arg(long)]
    pub any_stack: bool,
    /// Stop following after this long (exit 4; the deletion goes on).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// The CloudFormation service role to delete with (default: the stack's own, if any).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    #[command(flatten)]
    pub stack_set: StackSetArgs,
}

const STACK_SETS: &str = "StackSets (with --fleet, when members are in other accounts)";

/// The stack set's permissions and how its operations roll out.
#[derive(Debug, Default, Args)]
pub struct StackSetArgs {
    /// Service-managed permissions: an OU (ou-...) or the root (r-...) the member accounts
    /// are under. Repeatable. Default: the stack set's own.
    #[arg(long = "organizational-unit-id", value_name = "ID", help_heading = STACK_SETS,
          requires = "fleet", value_parser = parse_unit)]
    pub organizational_units: Vec<String>,
    /// Self-managed permissions: the administration role StackSets assumes
    /// [default: AWSCloudFormationStackSetAdministrationRole].
    #[arg(long, value_name = "ARN", help_heading = STACK_SETS, requires = "fleet",
          conflicts_with = "organizational_units")]
    pub administration_role_arn: Option<String>,
    /// Self-managed permissions: the role it assumes in each member account
    /// [default: AWSCloudFormationStackSetExecutionRole].
    #[arg(long, value_name = "NAME", help_heading = STACK_SETS, requires = "fleet",
          conflicts_with = "organizational_units")]
    pub execution_role_name: Option<String>,
    /// Instances worked on at once, as a percentage of the accounts in a region.
    #[arg(long, value_name = "PERCENT", default_value_t = 25, help_heading = STACK_SETS,
          requires = "fleet", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub max_concurrent_percentage: u8,
    /// Instances that may fail, in percent, before StackSets stops the operation in a region.
    #[arg(long, value_name = "PERCENT", default_value_t = 0, help_heading = STACK_SETS,
          requires = "fleet", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub failure_tolerance_percentage: u8,
    /// The regions' order (comma-separated); the others follow.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', help_heading = STACK_SETS,
          requires = "fleet")]
    pub region_order: Vec<String>,
    /// Deploy the regions at once rather than one after another.
    #[arg(long, help_heading = STACK_SETS, requires = "fleet")]
    pub regions_in_parallel: bool,
    /// Keep working at the set concurrency despite failures (SOFT_FAILURE_TOLERANCE) rather
    /// than slowing down as they come (STRICT).
    #[arg(long, help_heading = STACK_SETS, requires = "fleet")]
    pub soft_failure_tolerance: bool,
}

/// An OU id or the organization's root id, as DeploymentTargets takes them.
fn parse_unit(s: &str) -> Result<String, String> {
    let lower = |p: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&p.len())
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let ok = match s.split('-').collect::<Vec<_>>().as_slice() {
        ["r", root] => lower(root, 4..=32),
        ["ou", root, unit] => lower(root, 4..=32) && lower(unit, 8..=32),
        _ => false,
    };
    match ok {
        true => Ok(s.to_string()),
        false => Err("give an OU id (ou-abcd-12345678) or the root id (r-abcd)".into()),
    }
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("give on or off".into()),
    }
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e}; give a duration such as 30m, 90s or 1h"))
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan offline from this file (the output of `aws fsx describe-data-repository-associations`)
    /// instead of asking FSx.
    #[arg(long, value_name = "FILE")]
    pub repositories: Option<PathBuf>,
    #[command(flatten)]
    pub params: ParamArgs,
}

#[derive(Debug, Args)]
pub struct ArtifactArgs {
    /// Use this Lambda zip instead of the one built into fsx-drt.
    #[arg(long, value_name = "PATH")]
    pub lambda_zip: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The stack the parameters are for (checked against CloudFormation's naming rules).
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// A fleet file: one stack per member (Defaults merged into each of Members), several
    /// at once; a table of members as the result (see the README, Fleets).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["stack_name", "ParamArgs"])]
    pub fleet: Option<PathBuf>,
    /// Compute run times after this instant instead of now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub after: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub params: ParamArgs,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// cron(m h dom mon dow year), the six bare fields, rate(N unit), or at(yyyy-mm-ddThh:mm:ss)
    /// (once).
    #[arg(value_name = "EXPR")]
    pub expression: String,
    /// The IANA time zone the expression is read in, as EventBridge Scheduler reads it
    /// (e.g. Europe/Berlin); times print with the zone's offset.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub timezone: String,
    /// How many fire times to print.
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// Print fire times after this instant instead of now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub after: Option<DateTime<Utc>>,
}

/// The stack's parameters. Highest first: these flags, the parameters file, FSX_DRT_<NAME>
/// environment variables, prompts, defaults.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Parameters")]
pub struct ParamArgs {
    /// Parameters file: the reference's JSON array of {"ParameterKey", "ParameterValue"}, or a
    /// YAML/JSON map of names to values.
    #[arg(long, value_name = "FILE")]
    pub parameters_file: Option<PathBuf>,
    /// FileSystemId: the FSx for Lustre file system (fs-...).
    #[arg(long, value_name = "ID")]
    pub file_system_id: Option<String>,
    /// Schedule: cron fields, cron(...) or rate(...), UTC [default: 0 0/6 * * ? *].
    #[arg(long, value_name = "EXPR")]
    pub schedule: Option<String>,
    /// Paths: up to 32 space-separated paths, double-quoted if they contain spaces [default: /].
    #[arg(long, value_name = "PATHS")]
    pub paths: Option<String>,
    /// TaskType: Export, Import or Release [default: Export].
    #[arg(long, value_name = "TYPE")]
    pub task_type: Option<String>,
    /// TaskCompletionReportPath: report prefix in the data repository
    /// [default: /fsx-drt-completion-reports].
    #[arg(long, value_name = "PREFIX")]
    pub report_path: Option<String>,
    /// EmailAddress: where alarms are sent.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// ReleaseAfterDays: release files not accessed for this many days (Release only) [default: 30].
    #[arg(long, value_name = "DAYS")]
    pub release_after_days: Option<String>,
    /// LogRetentionDays: how long the function's logs are kept [default: 30].
    #[arg(long, value_name = "DAYS")]
    pub log_retention_days: Option<String>,
    /// AlarmTopicArn: the team's SNS topic the alarms publish to, instead of a topic of the
    /// stack mailing --email (then no key, no subscription; its policy must let CloudWatch
    /// publish) [default: none, the stack's own topic].
    #[arg(long, value_name = "ARN")]
    pub alarm_topic_arn: Option<String>,
    /// FollowUpCapMinutes: the longest wait between two checks of a task the function
    /// created, so its failure is told within it (1-60) [default: 5].
    #[arg(long, value_name = "MINUTES")]
    pub follow_up_cap: Option<String>,
    /// Which schedule (a name under Schedules in the parameters file; deploy and diff without
    /// one: of the stack's) the flags above are for [default: the only one; a flat
    /// definition's is named "default"].
    #[arg(long, value_name = "NAME")]
    pub schedule_name: Option<String>,
}

impl DeployArgs {
    /// The deploy these flags ask for; bad tags are exit 2 naming `--tags`.
    pub fn request(&self) -> Result<DeployRequest, crate::error::Failure> {
        let tags = match &self.tags {
            Some(text) => crate::stack_options::parse_tags(text).map_err(|problems| {
                crate::error::Failure::invalid("invalid stack options", problems)
            })?,
            None => Vec::new(),
        };
        Ok(DeployRequest {
            stack_name: self.stack_name.clone(),
            lambda_zip: self.lambda_zip.clone(),
            artifact_bucket: self.artifact_bucket.clone(),
            yes: self.yes,
            timeout: self.timeout,
            outputs_file: self.outputs_file.clone(),
            any_stack: self.any_stack,
            guided: self.guided,
            options: StackOptions {
                tags,
                role_arn: self.role_arn.clone(),
                notification_arns: self.notification_arns.clone(),
                permissions_boundary: self.permissions_boundary.clone(),
                termination_protection: self.termination_protection,
                revert_drift: self.revert_drift,
            },
            mode: Default::default(),
            inputs: self.params.inputs(),
        })
    }
}

impl GlobalArgs {
    /// Prompts only when a person can answer: stdin and stderr are terminals and
    /// `--no-input` was not given.
    pub fn interactive(&self) -> bool {
        !self.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Where and as whom to call AWS.
    pub fn connection(&self) -> Connection {
        Connection {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            verbose: self.verbose,
        }
    }
}

impl ParamArgs {
    /// The values the flags give, and the file to read more from.
    pub fn inputs(&self) -> Inputs {
        Inputs {
            flags: self.values(),
            parameters_file: self.parameters_file.clone(),
            schedule_name: self.schedule_name.clone(),
        }
    }

    /// The values given as flags.
    pub fn values(&self) -> Values {
        [
            (Param::FileSystemId, &self.file_system_id),
            (Param::Schedule, &self.schedule),
            (Param::Paths, &self.paths),
            (Param::TaskType, &self.task_type),
            (Param::TaskCompletionReportPath, &self.report_path),
            (Param::EmailAddress, &self.email),
            (Param::ReleaseAfterDays, &self.release_after_days),
            (Param::LogRetentionDays, &self.log_retention_days),
            (Param::AlarmTopicArn, &self.alarm_topic_arn),
            (Param::FollowUpCapMinutes, &self.follow_up_cap),
        ]
        .into_iter()
        .filter_map(|(p, v)| v.clone().map(|v| (p, v)))
        .collect()
    }
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}; give an RFC 3339 instant such as 2026-11-26T06:15:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_parameter_has_its_documented_flag() {
        let cmd = Cli::command();
        let validate = cmd.find_subcommand("validate").unwrap();
        for param in Param::ALL {
            let flag = param.flag().trim_start_matches("--");
            assert!(
                validate.get_arguments().any(|a| a.get_long() == Some(flag)),
                "{flag} missing"
            );
            assert!(
                PARAMETER_SOURCES.contains(param.env()),
                "{} undocumented",
                param.env()
            );
        }
    }

    /// Each parameter flag's help names its template key and the table's default, so --help,
    /// the man page and completions say what `params::SPECS` holds.
    #[test]
    fn parameter_flags_are_documented_from_the_parameter_table() {
        let cmd = Cli::command();
        let validate = cmd.find_subcommand("validate").unwrap();
        for param in Param::ALL {
            let flag = param.flag().trim_start_matches("--");
            let arg = validate
                .get_arguments()
                .find(|a| a.get_long() == Some(flag))
                .unwrap();
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(
                help.starts_with(&format!("{}:", param.key())),
                "{flag}: {help}"
            );
            if let Some(default) = param.default().filter(|d| !d.is_empty()) {
                assert!(
                    help.contains(&format!("[default: {default}]")),
                    "{flag}: {help}"
                );
            }
        }
    }
}

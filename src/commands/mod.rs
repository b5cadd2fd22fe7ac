//! One module per command. Each returns a typed outcome that is both `Display` (text) and
//! `Serialize` (`--output json`), or a [`Failure`].

pub mod bucket;
pub mod deploy;
pub mod destroy;
pub mod follow;
pub mod plan;
pub mod poll;
pub mod run;
pub mod schedule;
pub mod status;
pub mod tasks;
pub mod template;
pub mod validate;

use std::io::{IsTerminal, Read};

use fsx_drt_lambda::Invalid;

use crate::artifact::Artifact;
use crate::cli::{Cli, Command, GlobalArgs, ParamArgs};
use crate::error::{Exit, Failure};
use crate::output::Printer;
use crate::params::{self, Param, Problem, Resolved, Source, Values};

pub fn run(cli: Cli, printer: &Printer) -> Result<(), Failure> {
    let printed = match cli.command {
        Command::Validate(args) => {
            let outcome = validate::run(&args, &cli.global, printer)?;
            printer.outcome(&outcome)
        }
        Command::Schedule(args) => {
            let outcome = schedule::run(&args)?;
            if let Some(note) = &outcome.note {
                printer.note(note);
            }
            printer.outcome(&outcome)
        }
        Command::Template => printer.outcome(&template::run()),
        Command::Plan(args) => printer.outcome(&plan::run(&args, &cli.global, printer)?),
        Command::Deploy(args) => printer.outcome(&deploy::run(&args, &cli.global, printer)?),
        Command::Destroy(args) => printer.outcome(&destroy::run(&args, &cli.global, printer)?),
        Command::Status(args) => {
            let status = status::run(&args, &cli.global, printer)?;
            let printed = printer.outcome(&status);
            if printed.is_ok() && !status.healthy {
                return Err(Failure::exit_only(Exit::Failed));
            }
            printed
        }
        Command::Run(args) => {
            let ran = run::run(&args, &cli.global, printer)?;
            let printed = printer.outcome(&ran);
            if printed.is_ok() && ran.failed() {
                return Err(Failure::exit_only(Exit::Failed));
            }
            printed
        }
        Command::Tasks(args) => printer.outcome(&tasks::run(&args, &cli.global)?),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "fsx-drt", &mut script);
            crate::output::write_out(&String::from_utf8_lossy(&script))
        }
        Command::Man(args) => man(args.out_dir.as_deref()),
        Command::Artifact(args) => {
            let artifact = Artifact::load(args.lambda_zip.as_deref())?;
            printer.outcome(&artifact.summary())
        }
    };
    printed.map_err(|e| {
        Failure::new(
            Exit::Failed,
            format!("could not write the output: {e}"),
            None,
        )
    })
}

/// The man page on stdout, or one page per command written into `dir`.
fn man(dir: Option<&std::path::Path>) -> std::io::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command).render(&mut page)?;
        return crate::output::write_out(&String::from_utf8_lossy(&page));
    };
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(command, dir)
}

/// Gathers parameter values from flags, the parameters file and the environment, then asks
/// for what is still missing when a person is at the terminal.
pub fn resolve_parameters(
    args: &ParamArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Resolved, Failure> {
    let mut resolved = gather_parameters(args)?;
    // Only when someone will be asked: catching Ctrl-C costs a runtime.
    if interactive(global) && !resolved.missing().is_empty() {
        crate::interrupt::catching_ctrl_c(|| prompt_missing(&mut resolved, global, printer))?;
    }
    Ok(resolved)
}

/// Flags, then the parameters file, then `FSX_DRT_*` variables: no prompt, no AWS call.
pub fn gather_parameters(args: &ParamArgs) -> Result<Resolved, Failure> {
    let mut layers = vec![(Source::Flag, args.values())];
    if let Some(path) = &args.parameters_file {
        let name = path.display().to_string();
        let bytes = read_at_most(path, params::MAX_FILE_BYTES).map_err(|e| {
            Failure::invalid(
                "cannot read the parameters file",
                vec![Problem {
                    parameter: "--parameters-file".into(),
                    value: Some(name.clone()),
                    source: None,
                    problem: format!("cannot read {name}: {e}"),
                    fix: "give the path of an existing, readable file".into(),
                }],
            )
        })?;
        let values = params::parse_file(&name, &bytes)
            .map_err(|problems| Failure::invalid("the parameters file is invalid", problems))?;
        layers.push((Source::File(name), values));
    }
    // A variable that is not UTF-8 is set, not unset: say so rather than use the default.
    let not_utf8: Vec<Problem> = Param::ALL
        .into_iter()
        .filter_map(|param| {
            let raw = std::env::var_os(param.env())?;
            raw.to_str().is_none().then(|| {
                let invalid = Invalid::new(
                    "the value is not UTF-8 text",
                    "set it as UTF-8 text, or unset it",
                );
                Problem::sourced(param, &raw.to_string_lossy(), &Source::Env, invalid)
            })
        })
        .collect();
    if !not_utf8.is_empty() {
        return Err(Failure::invalid("the parameters are invalid", not_utf8));
    }
    layers.push((
        Source::Env,
        Resolved::env_values(|name| std::env::var(name).ok()),
    ));
    Ok(Resolved::from_layers(layers))
}

/// A file's bytes, but no more than one past `max`: /dev/zero or a huge file ends there, and
/// the caller says it is too large.
pub fn read_at_most(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Asks for required parameters that are still missing, when a person can answer.
pub fn prompt_missing(
    resolved: &mut Resolved,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<(), Failure> {
    if interactive(global) {
        for param in resolved.missing() {
            let value = prompt(param, printer)?;
            resolved.set(param, value, Source::Prompt);
        }
    }
    Ok(())
}

/// Prompts only when a person can answer: stdin and stderr are terminals and `--no-input`
/// was not given.
pub fn interactive(global: &GlobalArgs) -> bool {
    !global.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn prompt(param: Param, printer: &Printer) -> Result<String, Failure> {
    printer
        .ask(param.prompt(), |value: &String| params::check(param, value))
        .map_err(|e| {
            // Ctrl-C at a prompt reads as an interrupted read (the terminal is in raw mode).
            if e.kind() == std::io::ErrorKind::Interrupted {
                // End the prompt's line before the failure.
                crate::output::log("");
                return crate::interrupt::unchanged();
            }
            Failure::new(
                Exit::Invalid,
                format!("no value for {}: {e}", param.key()),
                Some(format!("pass {} instead", param.flag())),
            )
        })
}

/// A deployed stack's parameter values as fsx-drt's parameters. The template always holds a
/// ReleaseAfterDays; it is kept only when the task type (`task_type` when given, else the
/// stack's) is Release, where it means something.
pub fn stack_values(parameters: &[(String, String)], task_type: Option<String>) -> Values {
    let mut values: Values = parameters
        .iter()
        .filter_map(|(k, v)| Some((Param::from_key(k)?, v.clone())))
        .collect();
    let task_type = task_type.or_else(|| values.get(&Param::TaskType).cloned());
    if !task_type.is_some_and(|t| {
        fsx_drt_lambda::TaskType::parse(&t) == Ok(fsx_drt_lambda::TaskType::Release)
    }) {
        values.remove(&Param::ReleaseAfterDays);
    }
    values
}

/// One of a deployed stack's parameter values.
pub fn stack_parameter(stack: &aws_sdk_cloudformation::types::Stack, key: &str) -> Option<String> {
    stack
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(key))
        .and_then(|p| p.parameter_value())
        .map(str::to_string)
}

/// A deployed stack's parameters as key/value pairs.
pub fn parameter_pairs(stack: &aws_sdk_cloudformation::types::Stack) -> Vec<(String, String)> {
    stack
        .parameters()
        .iter()
        .filter_map(|p| {
            Some((
                p.parameter_key()?.to_string(),
                p.parameter_value()?.to_string(),
            ))
        })
        .collect()
}

/// Stack outputs as a JSON object, in the stack's order.
pub fn outputs_map<S: serde::Serializer>(
    outputs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(outputs.iter().map(|(k, v)| (k, v)))
}

/// A stack name CloudFormation accepts, or exit 2 before any AWS call.
pub fn check_stack_name(name: &str) -> Result<(), Failure> {
    params::parse_stack_name(name).map(drop).map_err(|invalid| {
        Failure::invalid(
            "invalid stack name",
            vec![Problem::new("--stack-name", Some(name), invalid)],
        )
    })
}

/// The stack, or exit 2 when there is none.
pub async fn existing_stack(
    aws: &crate::aws::Aws,
    name: &str,
    any_stack: bool,
) -> Result<aws_sdk_cloudformation::types::Stack, Failure> {
    let stack = deploy::describe_stack(aws, name).await?.ok_or_else(|| {
        Failure::new(
            Exit::Invalid,
            format!("there is no stack {name} in region {}", aws.region),
            Some("check --stack-name and --region, or deploy it with fsx-drt deploy".into()),
        )
    })?;
    check_maker(&stack, name, any_stack)?;
    Ok(stack)
}

/// A stack fsx-drt did not make (nor the reference solution) is not fsx-drt's to change,
/// delete or call healthy: exit 2 naming what was found, unless `--any-stack` says so.
pub fn check_maker(
    stack: &aws_sdk_cloudformation::types::Stack,
    name: &str,
    any_stack: bool,
) -> Result<(), Failure> {
    let crate::stack::Maker::Other(description) = crate::stack::maker(stack.description()) else {
        return Ok(());
    };
    if any_stack {
        return Ok(());
    }
    let found = match description {
        Some(d) => format!("its description is {d:?}"),
        None => "it has no description".to_string(),
    };
    Err(Failure::new(
        Exit::Invalid,
        format!(
            "stack {name} was not made by fsx-drt ({found}); nothing was changed"
        ),
        Some(format!(
            "check --stack-name; fsx-drt's stacks have a description starting with {:?}. To act on this one all the same, pass --any-stack (deploy replaces its template and its resources, destroy deletes it)",
            crate::stack::FSX_DRT_MARK
        )),
    ))
}

//! The parameter values a workflow starts from: flags, then the parameters file, then
//! `FSX_DRT_*` variables, then (at a terminal) prompts for what is still missing.

use std::io::Read;
use std::path::PathBuf;

use fsx_drt_core::Invalid;

use crate::definition::{self, Draft};
use crate::error::{Exit, Failure};
use crate::output::Printer;
use crate::params::{self, Param, Problem, Resolved, Source, Values};

/// What the person gave: values from flags, the parameters file to read, and the schedule
/// the flags are for (`--schedule-name`; default the only one).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub flags: Values,
    pub parameters_file: Option<PathBuf>,
    pub schedule_name: Option<String>,
}

/// Gathers parameter values from flags, the parameters file and the environment, then asks
/// for what is still missing when a person is at the terminal.
pub fn resolve(inputs: &Inputs, interactive: bool, ui: &Printer) -> Result<Resolved, Failure> {
    let mut resolved = gather(inputs)?;
    // Only when someone will be asked: catching Ctrl-C costs a runtime.
    if interactive && !resolved.missing().is_empty() {
        crate::interrupt::catching_ctrl_c(|| prompt_missing(&mut resolved, interactive, ui))?;
    }
    Ok(resolved)
}

/// Flags, then the parameters file, then `FSX_DRT_*` variables: no prompt, no AWS call.
pub fn gather(inputs: &Inputs) -> Result<Resolved, Failure> {
    let mut layers = vec![(Source::Flag, inputs.flags.clone())];
    if let Some((name, bytes)) = read_parameters_file(inputs)? {
        let values = params::parse_file(&name, &bytes)
            .map_err(|problems| Failure::invalid("the parameters file is invalid", problems))?;
        layers.push((Source::File(name), values));
    }
    layers.push((Source::Env, env_values()?));
    Ok(Resolved::from_layers(layers))
}

/// The definition (the stack and its named schedules) from flags, the parameters file and
/// `FSX_DRT_*` variables, then (at a terminal) prompts for what is still missing.
pub fn resolve_definition(
    inputs: &Inputs,
    interactive: bool,
    ui: &Printer,
) -> Result<Draft, Failure> {
    let mut draft = gather_definition(inputs)?;
    // Only when someone will be asked: catching Ctrl-C costs a runtime.
    if interactive && !draft.missing().is_empty() {
        crate::interrupt::catching_ctrl_c(|| prompt_definition(&mut draft, interactive, ui))?;
    }
    Ok(draft)
}

/// Asks for the stack-wide values a definition still lacks, when a person can answer.
pub fn prompt_definition(
    draft: &mut Draft,
    interactive: bool,
    ui: &Printer,
) -> Result<(), Failure> {
    if interactive {
        for param in draft.missing() {
            let value = prompt(param, ui)?;
            draft.set(param, &value, &Source::Prompt);
        }
    }
    Ok(())
}

/// [`gather`] for a definition: the file may hold a `Schedules` map.
pub fn gather_definition(inputs: &Inputs) -> Result<Draft, Failure> {
    let file = match read_parameters_file(inputs)? {
        Some((name, bytes)) => Some((
            name.clone(),
            definition::read(&name, &bytes)
                .map_err(|problems| Failure::invalid("the parameters file is invalid", problems))?,
        )),
        None => None,
    };
    Ok(Draft::new(
        &inputs.flags,
        inputs.schedule_name.as_deref(),
        file,
        &env_values()?,
    ))
}

/// A deployed stack's named schedules (`names`) as the definition, with flags and `FSX_DRT_*`
/// variables over them: no parameters file was given.
pub fn gather_from_stack(inputs: &Inputs, stack: &str, names: &[String]) -> Result<Draft, Failure> {
    let env = env_values()?;
    let name = inputs.schedule_name.as_deref();
    Ok(Draft::from_stack(&inputs.flags, name, stack, names, &env))
}

/// The parameters file's name and bytes, when one is given.
fn read_parameters_file(inputs: &Inputs) -> Result<Option<(String, Vec<u8>)>, Failure> {
    let Some(path) = &inputs.parameters_file else {
        return Ok(None);
    };
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
    Ok(Some((name, bytes)))
}

/// The `FSX_DRT_*` variables' values.
fn env_values() -> Result<Values, Failure> {
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
    Ok(Resolved::env_values(|name| std::env::var(name).ok()))
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
    interactive: bool,
    ui: &Printer,
) -> Result<(), Failure> {
    if interactive {
        for param in resolved.missing() {
            let value = prompt(param, ui)?;
            resolved.set(param, value, Source::Prompt);
        }
    }
    Ok(())
}

fn prompt(param: Param, printer: &Printer) -> Result<String, Failure> {
    prompt_with(param, None, printer)
}

/// Asks for one parameter, `default` taken on an empty answer; each answer is checked as it
/// is typed.
pub fn prompt_with(
    param: Param,
    default: Option<&str>,
    printer: &Printer,
) -> Result<String, Failure> {
    answer(
        printer.ask_with(param.prompt(), default, |value: &String| {
            params::check(param, value)
        }),
        param.key(),
        param.flag(),
    )
}

/// A prompt's answer, or the failure for its field (Ctrl-C: nothing changed).
pub fn answer(asked: std::io::Result<String>, key: &str, flag: &str) -> Result<String, Failure> {
    asked.map_err(|e| {
        // Ctrl-C at a prompt reads as an interrupted read (the terminal is in raw mode).
        if e.kind() == std::io::ErrorKind::Interrupted {
            // End the prompt's line before the failure.
            crate::output::log("");
            return crate::interrupt::unchanged();
        }
        Failure::new(
            Exit::Invalid,
            format!("no value for {key}: {e}"),
            Some(format!("pass {flag} instead")),
        )
    })
}

/// A deployed stack's parameter values as fsx-drt's parameters. The template always holds a
/// ReleaseAfterDays; it is kept only when the task type (`task_type` when given, else the
/// stack's) is Release, where it means something.
pub fn from_stack(parameters: &[(String, String)], task_type: Option<String>) -> Values {
    let mut values: Values = parameters
        .iter()
        .filter_map(|(k, v)| Some((Param::from_key(k)?, v.clone())))
        .collect();
    let task_type = task_type.or_else(|| values.get(&Param::TaskType).cloned());
    if !task_type
        .is_some_and(|t| fsx_drt_core::TaskType::parse(&t) == Ok(fsx_drt_core::TaskType::Release))
    {
        values.remove(&Param::ReleaseAfterDays);
    }
    values
}

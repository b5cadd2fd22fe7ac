//! `deploy --guided`, as `sam deploy --guided` does it: every setting asked for, its current
//! value (flags, file, stack, default) offered, each answer checked as it is typed, and the
//! answers saved as a definition file for next time when the person says where.

use std::path::Path;

use crate::definition::{self, Draft, Extra};
use crate::error::{Exit, Failure};
use crate::output::Printer;
use crate::params::{Param, Source};
use crate::workflows::inputs;

/// Asks for every value of a flat definition (the stack-wide ones of one with named
/// schedules, whose schedules stay in its file).
pub fn ask(draft: &mut Draft, interactive: bool, ui: &Printer) -> Result<(), Failure> {
    check_interactive(interactive)?;
    let params: Vec<Param> = Param::ALL
        .into_iter()
        .filter(|p| !draft.mapped || !definition::is_schedule_param(*p))
        .collect();
    for param in params {
        let current = draft.schedules[0]
            .values
            .get(param)
            .map(|(v, _)| v.clone())
            .or_else(|| param.default().map(str::to_string));
        let value = inputs::prompt_with(param, current.as_deref(), ui)?;
        draft.set(param, &value, &Source::Prompt);
    }
    if !draft.mapped {
        let schedule = &mut draft.schedules[0];
        let current = schedule
            .extras
            .get(&Extra::Timezone)
            .map_or_else(|| "UTC".to_string(), |(v, _)| v.clone());
        let zone = inputs::answer(
            ui.ask_with(
                "Time zone the schedule is read in (IANA, e.g. Europe/Berlin)",
                Some(&current),
                |value: &String| {
                    definition::parse_timezone(value)
                        .map(drop)
                        .map_err(|i| format!("{}; {}", i.problem, i.fix))
                },
            ),
            Extra::Timezone.key(),
            "the parameters file's Timezone",
        )?;
        schedule
            .extras
            .insert(Extra::Timezone, (zone, Source::Prompt));
    }
    Ok(())
}

/// `--guided` needs someone to answer: exit 2 otherwise.
pub fn check_interactive(interactive: bool) -> Result<(), Failure> {
    if interactive {
        return Ok(());
    }
    Err(Failure::new(
        Exit::Invalid,
        "--guided asks for every setting, and nobody can be asked (no terminal, or --no-input)",
        Some("run it at a terminal, or give the values as flags or --parameters-file".into()),
    ))
}

/// Offers to save a flat definition's answers as a definition file; returns where it went.
pub fn offer_to_save(draft: &Draft, ui: &Printer) -> Result<Option<String>, Failure> {
    if draft.mapped {
        return Ok(None);
    }
    let path = inputs::answer(
        ui.ask_with(
            "Save these answers as a definition file for next time (a path; empty: no)",
            None,
            |value: &String| {
                let dir = Path::new(value)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty());
                match dir {
                    Some(dir) if !dir.is_dir() => {
                        Err(format!("{} is not a directory", dir.display()))
                    }
                    _ => Ok(()),
                }
            },
        ),
        "the definition file",
        "--parameters-file next time",
    )?;
    if path.trim().is_empty() {
        return Ok(None);
    }
    let text = definition::flat_yaml(&draft.schedules[0]);
    crate::outfile::write(Path::new(&path), text.as_bytes()).map_err(|e| {
        Failure::new(
            Exit::Failed,
            format!("could not write {path}: {e}"),
            Some("the answers are not saved; the deploy goes on".into()),
        )
    })?;
    Ok(Some(path))
}

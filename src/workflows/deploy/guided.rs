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
    ask_parameters(draft, |param, current| {
        inputs::prompt_with(param, current, ui)
    })?;
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

/// Asks for each parameter in turn (`prompt` gets it and its current value), the team's
/// topic just before the address: given, it takes the address's place, which is not asked.
fn ask_parameters(
    draft: &mut Draft,
    mut prompt: impl FnMut(Param, Option<&str>) -> Result<String, Failure>,
) -> Result<(), Failure> {
    let mut params: Vec<Param> = Param::ALL
        .into_iter()
        .filter(|p| !draft.mapped || !definition::is_schedule_param(*p))
        .filter(|p| *p != Param::AlarmTopicArn)
        .collect();
    let email = params.iter().position(|p| *p == Param::EmailAddress);
    params.insert(email.unwrap_or(params.len()), Param::AlarmTopicArn);
    let mut team_topic = false;
    for param in params {
        if param == Param::EmailAddress && team_topic {
            draft.set(param, "", &Source::Prompt);
            continue;
        }
        let current = draft.schedules[0]
            .values
            .get(param)
            .map(|(v, _)| v.clone())
            .or_else(|| param.default().map(str::to_string));
        let value = prompt(param, current.as_deref())?;
        team_topic |= param == Param::AlarmTopicArn && !value.trim().is_empty();
        draft.set(param, &value, &Source::Prompt);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The team's topic is asked just before the address; given, the address is not asked.
    #[test]
    fn a_team_topic_is_asked_before_the_address_and_replaces_it() {
        for (topic, asks_email) in [
            ("arn:aws:sns:us-east-1:123456789012:team", false),
            ("", true),
        ] {
            let mut draft = Draft::new(&Default::default(), None, None, &Default::default());
            let mut asked = Vec::new();
            ask_parameters(&mut draft, |param, _| {
                asked.push(param);
                Ok(match param {
                    Param::AlarmTopicArn => topic.to_string(),
                    _ => "x".to_string(),
                })
            })
            .unwrap();
            let topic_at = asked
                .iter()
                .position(|p| *p == Param::AlarmTopicArn)
                .unwrap();
            assert_eq!(
                asked.get(topic_at + 1) == Some(&Param::EmailAddress),
                asks_email
            );
            assert_eq!(asked.contains(&Param::EmailAddress), asks_email);
            let email = draft.schedules[0].values.get(Param::EmailAddress).unwrap();
            assert_eq!(email.0 == "x", asks_email);
        }
    }
}

//! Flags, the parameters file and `FSX_DRT_*` variables into one draft definition, the way
//! [`Resolved`] layers them for one schedule: flags win, then the file, then the environment.
//! Flags and variables for a schedule's keys go to one schedule: `--schedule-name`'s, else
//! the only one.

use std::collections::BTreeMap;

use super::{is_schedule_param, Extra, FileDefinition, FileSchedule, DEFAULT_NAME, SCHEDULES};
use crate::params::{Param, Problem, Resolved, Source, Values};

/// A definition's values and their sources, before the rules.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The file has a `Schedules` map: problems are named `Schedules.<name>.<key>`.
    pub mapped: bool,
    pub schedules: Vec<DraftSchedule>,
    /// EmailAddress given as a list in the file: the addresses after the first.
    pub more_emails: Vec<(String, Source)>,
    /// The file's `Tags` (flags' `--tags` go over them, key by key, at deploy).
    pub tags: Vec<(String, String)>,
    /// The file's ReleaseWhenFreeBelowPercent and ReleaseWhenFreeBelowSchedule.
    pub capacity: super::capacity::Draft,
    /// Problems found while reading and merging; [`super::validate`] reports them with the rest.
    pub problems: Vec<Problem>,
}

/// Whose schedules a draft holds, for the words of its problems.
#[derive(Debug, Clone, Copy)]
enum Whose<'a> {
    File,
    /// A deployed stack's, by its name.
    Stack(&'a str),
}

/// One schedule's values: its own and the stack-wide ones, each with its source.
#[derive(Debug, Clone, Default)]
pub struct DraftSchedule {
    pub name: String,
    pub values: Resolved,
    pub extras: BTreeMap<Extra, (String, Source)>,
}

impl Draft {
    /// Layers flags, the file (with the name problems refer to it by) and the environment.
    pub fn new(
        flags: &Values,
        schedule_name: Option<&str>,
        file: Option<(String, FileDefinition)>,
        env: &Values,
    ) -> Draft {
        let (source, file) = match file {
            Some((name, file)) => (Source::File(name), file),
            None => (Source::Default, FileDefinition::default()),
        };
        Draft::layered(flags, schedule_name, source, file, env, Whose::File)
    }

    /// A deployed stack's named schedules (`names`; their values are filled from the stack
    /// afterwards, below the environment), with the flags and variables for a schedule's
    /// keys going to `--schedule-name`'s (default: the only one).
    pub fn from_stack(
        flags: &Values,
        schedule_name: Option<&str>,
        stack: &str,
        names: &[String],
        env: &Values,
    ) -> Draft {
        let file = FileDefinition {
            schedules: Some(
                (names.iter())
                    .map(|name| FileSchedule {
                        name: name.clone(),
                        ..FileSchedule::default()
                    })
                    .collect(),
            ),
            ..FileDefinition::default()
        };
        let whose = Whose::Stack(stack);
        Draft::layered(flags, schedule_name, Source::Stack, file, env, whose)
    }

    fn layered(
        flags: &Values,
        schedule_name: Option<&str>,
        source: Source,
        file: FileDefinition,
        env: &Values,
        whose: Whose,
    ) -> Draft {
        let mut draft = Draft {
            mapped: file.schedules.is_some(),
            more_emails: (file.more_emails.iter())
                .map(|e| (e.clone(), source.clone()))
                .collect(),
            tags: file.tags.clone(),
            capacity: (file.capacity.iter())
                .map(|(k, v)| (*k, (v.clone(), source.clone())))
                .collect(),
            problems: file.problems.clone(),
            ..Draft::default()
        };
        let schedules = match file.schedules.clone() {
            Some(schedules) => schedules,
            None => vec![FileSchedule {
                name: schedule_name.unwrap_or(DEFAULT_NAME).to_string(),
                ..file.flat.clone()
            }],
        };
        let addressed = draft.addressed(&schedules, schedule_name, flags, env, whose);
        for schedule in schedules {
            let mine = addressed.as_deref() == Some(schedule.name.as_str());
            let pick = |values: &Values| -> Values {
                (values.iter())
                    .filter(|(p, _)| mine || !is_schedule_param(**p))
                    .map(|(p, v)| (*p, v.clone()))
                    .collect()
            };
            let mut from_file = file.stack.clone();
            from_file.extend(schedule.values);
            draft.schedules.push(DraftSchedule {
                values: Resolved::from_layers(vec![
                    (Source::Flag, pick(flags)),
                    (source.clone(), from_file),
                    (Source::Env, pick(env)),
                ]),
                extras: (schedule.extras.into_iter())
                    .map(|(e, v)| (e, (v, source.clone())))
                    .collect(),
                name: schedule.name,
            });
        }
        draft
    }

    /// The schedule flags and variables apply to; a problem when they cannot say which.
    fn addressed(
        &mut self,
        schedules: &[FileSchedule],
        schedule_name: Option<&str>,
        flags: &Values,
        env: &Values,
        whose: Whose,
    ) -> Option<String> {
        let names: Vec<&str> = schedules.iter().map(|s| s.name.as_str()).collect();
        let known = || match whose {
            Whose::File => format!("the file's schedules are {}", names.join(", ")),
            Whose::Stack(stack) => format!("stack {stack}'s schedules are {}", names.join(", ")),
        };
        match schedule_name {
            Some(name) if names.contains(&name) => return Some(name.to_string()),
            Some(name) => {
                let (problem, fix) = match whose {
                    Whose::File => (
                        format!("the file has no schedule named {name} in {SCHEDULES}"),
                        format!("name one of them: {}", known()),
                    ),
                    Whose::Stack(stack) => (
                        format!("stack {stack} has no schedule named {name}"),
                        format!(
                            "name one of them ({}), or add it with --parameters-file and the whole definition",
                            known()
                        ),
                    ),
                };
                self.problems.push(Problem {
                    parameter: "--schedule-name".into(),
                    value: Some(name.to_string()),
                    source: Some(Source::Flag.to_string()),
                    problem,
                    fix,
                });
                return None;
            }
            None if names.len() == 1 => return Some(names[0].to_string()),
            None => {}
        }
        let given = |values: &Values, how: fn(Param) -> &'static str| -> Vec<&'static str> {
            (values.keys().copied())
                .filter(|p| is_schedule_param(*p))
                .map(how)
                .collect()
        };
        let stray = [given(flags, Param::flag), given(env, Param::env)].concat();
        if let (false, Whose::Stack(stack)) = (stray.is_empty(), whose) {
            self.problems.push(Problem {
                parameter: stray.join(", "),
                value: None,
                source: None,
                problem: format!(
                    "{} set a schedule's values, and stack {stack} has {} schedules ({})",
                    stray.join(", "),
                    names.len(),
                    names.join(", ")
                ),
                fix: "pass --schedule-name NAME to change one of them (the others are kept), or \
                      --parameters-file with the whole definition"
                    .into(),
            });
        } else if !stray.is_empty() {
            self.problems.push(Problem {
                parameter: "--schedule-name".into(),
                value: None,
                source: None,
                problem: format!(
                    "{} set a schedule's values, and the definition has {} schedules",
                    stray.join(", "),
                    names.len()
                ),
                fix: format!(
                    "pass --schedule-name to say which schedule they are for ({})",
                    known()
                ),
            });
        }
        None
    }

    /// Stack-wide values no source gives and no default has: what a prompt asks for.
    pub fn missing(&self) -> Vec<Param> {
        self.schedules
            .first()
            .map_or_else(Vec::new, |s| s.values.missing())
    }

    /// Sets a stack-wide value (a prompt's answer) in every schedule.
    pub fn set(&mut self, param: Param, value: &str, source: &Source) {
        for schedule in &mut self.schedules {
            schedule
                .values
                .set(param, value.to_string(), source.clone());
        }
    }
}

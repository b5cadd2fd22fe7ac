//! The parameters file as a definition: the reference's flat array or map (one schedule), or
//! a map whose `Schedules` holds named schedules beside the stack-wide keys.

use std::collections::BTreeMap;

use fsx_drt_core::Invalid;
use serde_json::{Map, Value};

use super::{capacity, is_schedule_param, Extra, SCHEDULES, TAGS};
use crate::params::file::{
    closest, file_problem, kind, param_spellings, parse_document, scalar, unknown_key,
};
use crate::params::{self, Param, Problem, Values};

/// One schedule's values as the file gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSchedule {
    pub name: String,
    pub values: Values,
    pub extras: BTreeMap<Extra, String>,
}

/// What a parameters file holds, before any rule but the file's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDefinition {
    /// Stack-wide values (FileSystemId, the first EmailAddress, LogRetentionDays,
    /// FollowUpCapMinutes).
    pub stack: Values,
    /// EmailAddress given as a list: the addresses after the first.
    pub more_emails: Vec<String>,
    /// `Tags`: the stack's tags, in the file's order.
    pub tags: Vec<(String, String)>,
    /// The `Schedules` map, in the file's order; `None` for a flat file.
    pub schedules: Option<Vec<FileSchedule>>,
    /// A flat file's one schedule (its name is set later).
    pub flat: FileSchedule,
    /// ReleaseWhenFreeBelowPercent and ReleaseWhenFreeBelowSchedule, as written.
    pub capacity: BTreeMap<&'static str, String>,
    /// Problems with the file's keys; the values are checked later.
    pub problems: Vec<Problem>,
}

/// Reads a parameters file; `Err` only when there is no document to go on with.
pub fn read(name: &str, bytes: &[u8]) -> Result<FileDefinition, Vec<Problem>> {
    let map = match parse_document(name, bytes)? {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            // The reference's array (or something that is no definition): flat parameters.
            let mut file = FileDefinition::default();
            for (param, value) in params::file::values(name, other)? {
                file.set(param, value);
            }
            return Ok(file);
        }
    };
    let mut file = FileDefinition::default();
    let mut flat_keys = Vec::new();
    for (key, value) in map {
        if key == SCHEDULES {
            file.schedules = Some(schedules(name, value, &mut file.problems));
        } else if key == TAGS {
            file.tags = tags(name, value, &mut file.problems);
        } else if let Some(capacity_key) = [capacity::PERCENT, capacity::SCHEDULE]
            .into_iter()
            .find(|k| *k == key)
        {
            match scalar(false, value) {
                Ok(text) => {
                    file.capacity.insert(capacity_key, text);
                }
                Err(invalid) => file.problems.push(at(name, &key, invalid)),
            }
        } else if let Some(param) = Param::from_key(&key) {
            if is_schedule_param(param) {
                flat_keys.push(key.clone());
            }
            if param == Param::EmailAddress {
                if let Value::Array(items) = value {
                    file.emails(name, items);
                    continue;
                }
            }
            match scalar(param == Param::Paths, value) {
                Ok(text) => file.set(param, text),
                Err(invalid) => file.problems.push(at(name, &key, invalid)),
            }
        } else if let Some(extra) = Extra::from_key(&key) {
            flat_keys.push(key.clone());
            match scalar(false, value) {
                Ok(text) => {
                    file.flat.extras.insert(extra, text);
                }
                Err(invalid) => file.problems.push(at(name, &key, invalid)),
            }
        } else {
            file.problems.push(unknown_top_key(name, &key));
        }
    }
    if file.schedules.is_some() {
        for key in flat_keys {
            file.problems.push(file_problem(
                name,
                Some(&key),
                format!("{key} belongs to a schedule, and the file also has {SCHEDULES}"),
                format!(
                    "move {key} into each schedule under {SCHEDULES}, or remove {SCHEDULES} for one schedule"
                ),
            ));
        }
    }
    Ok(file)
}

impl FileDefinition {
    fn set(&mut self, param: Param, value: String) {
        if is_schedule_param(param) {
            self.flat.values.insert(param, value);
        } else {
            self.stack.insert(param, value);
        }
    }

    /// EmailAddress as a list: the first is the stack's address, the rest are kept beside it.
    fn emails(&mut self, name: &str, items: Vec<Value>) {
        let key = Param::EmailAddress.key();
        let mut texts = Vec::new();
        for item in items {
            match item {
                Value::String(s) => texts.push(s),
                other => self.problems.push(at(
                    name,
                    key,
                    Invalid::new(
                        format!("the list holds a {}, not an address", kind(&other)),
                        "list the addresses as strings",
                    ),
                )),
            }
        }
        let mut texts = texts.into_iter();
        match texts.next() {
            Some(first) => {
                self.stack.insert(Param::EmailAddress, first);
                self.more_emails = texts.collect();
            }
            None => self.problems.push(at(
                name,
                key,
                Invalid::new(
                    "the list of addresses is empty",
                    "give at least one address",
                ),
            )),
        }
    }
}

/// The `Schedules` map: each name to its keys.
fn schedules(name: &str, value: Value, problems: &mut Vec<Problem>) -> Vec<FileSchedule> {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            problems.push(file_problem(
                name,
                Some(SCHEDULES),
                format!("{SCHEDULES} is a {}, not a map of names to schedules", kind(&other)),
                "write Schedules as a map: each schedule's name, then its TaskType, Paths, Schedule...",
            ));
            return Vec::new();
        }
    };
    map.into_iter()
        .map(|(schedule, value)| {
            let place = format!("{SCHEDULES}.{schedule}");
            let mut spec = FileSchedule {
                name: schedule,
                ..FileSchedule::default()
            };
            let keys = match value {
                Value::Object(keys) => keys,
                Value::Null => Map::new(),
                other => {
                    problems.push(file_problem(
                        name,
                        Some(&place),
                        format!("the schedule is a {}, not a map of keys", kind(&other)),
                        "give the schedule's keys: TaskType, Paths, Schedule, Timezone...",
                    ));
                    Map::new()
                }
            };
            for (key, value) in keys {
                let key_place = format!("{place}.{key}");
                let param = Param::from_key(&key);
                let text = if param.is_some_and(|p| !is_schedule_param(p)) {
                    Err(Invalid::new(
                        format!("{key} is stack-wide, the same for every schedule"),
                        format!("move {key} to the top level of the file"),
                    ))
                } else if param.is_none() && Extra::from_key(&key).is_none() {
                    problems.push(unknown_schedule_key(name, &key_place, &key));
                    continue;
                } else {
                    scalar(param == Some(Param::Paths), value)
                };
                match (text, param, Extra::from_key(&key)) {
                    (Err(invalid), _, _) => problems.push(at(name, &key_place, invalid)),
                    (Ok(text), Some(param), _) => {
                        spec.values.insert(param, text);
                    }
                    (Ok(text), None, Some(extra)) => {
                        spec.extras.insert(extra, text);
                    }
                    (Ok(_), None, None) => {}
                }
            }
            spec
        })
        .collect()
}

/// `Tags`: a map of keys to values, or CloudFormation's own list of `{Key, Value}`; each tag
/// checked by the rule `--tags` has, its problems named `Tags.<key>`.
fn tags(name: &str, value: Value, problems: &mut Vec<Problem>) -> Vec<(String, String)> {
    let pairs: Vec<(String, Value)> = match value {
        Value::Object(map) => map.into_iter().collect(),
        Value::Null => Vec::new(),
        Value::Array(items) => (items.into_iter().enumerate())
            .filter_map(|(i, item)| match listed_tag(item) {
                Ok(pair) => Some(pair),
                Err((text, invalid)) => {
                    let place = format!("{TAGS}[{i}]");
                    problems.push(tag_problem(name, &place, &text, invalid));
                    None
                }
            })
            .collect(),
        other => {
            problems.push(tag_problem(
                name,
                TAGS,
                &other.to_string(),
                Invalid::new(
                    format!("{TAGS} is a {}, not a map of keys to values", kind(&other)),
                    "write the tags as a map, e.g. Tags: {team: hpc, cost-center: \"42\"}",
                ),
            ));
            return Vec::new();
        }
    };
    let mut tags: Vec<(String, String)> = Vec::new();
    for (key, value) in pairs {
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        let checked =
            scalar(false, value).and_then(|text| match tags.iter().any(|(k, _)| *k == key) {
                true => Err(Invalid::new(
                    format!("the key {key} is given twice"),
                    "give each key once",
                )),
                false => crate::stack_options::check_tag(&key, &text).map(|()| text),
            });
        match checked {
            Ok(text) => tags.push((key, text)),
            Err(invalid) => {
                problems.push(tag_problem(name, &format!("{TAGS}.{key}"), &shown, invalid))
            }
        }
    }
    if let Err(mut problem) = crate::stack_options::check_tag_count(TAGS, tags.len()) {
        problem.source = Some(format!("file {name}"));
        problems.push(problem);
    }
    tags
}

/// One `{Key, Value}` of the list form; `Err` with the item as text.
fn listed_tag(item: Value) -> Result<(String, Value), (String, Invalid)> {
    let text = item.to_string();
    if let Value::Object(mut map) = item {
        if let (2, Some(Value::String(key)), Some(value)) =
            (map.len(), map.remove("Key"), map.remove("Value"))
        {
            return Ok((key, value));
        }
    }
    Err((
        text,
        Invalid::new(
            "a tag in the list is not {Key: ..., Value: ...}",
            "give each tag as {Key: team, Value: hpc}, or write Tags as a map",
        ),
    ))
}

/// A problem with a tag, its value given so it is reported before any AWS call.
fn tag_problem(name: &str, place: &str, value: &str, invalid: Invalid) -> Problem {
    Problem {
        value: Some(value.to_string()),
        ..at(name, place, invalid)
    }
}

/// The keys a schedule can have, for did-you-mean.
fn schedule_keys() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    let params = Param::ALL
        .into_iter()
        .filter(|p| is_schedule_param(*p))
        .map(|p| (p.key(), vec![p.key(), p.flag()]));
    params.chain(Extra::ALL.map(|e| (e.key(), vec![e.key()])))
}

fn unknown_schedule_key(name: &str, place: &str, key: &str) -> Problem {
    let fix = match closest(key, schedule_keys()) {
        Some(suggestion) => format!("did you mean {suggestion}?"),
        None => format!(
            "a schedule's keys are {}",
            schedule_keys()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    file_problem(
        name,
        Some(place),
        format!("{key} is not a key of a schedule"),
        fix,
    )
}

/// A top-level key that is none of the file's: the closest parameter, schedule key or
/// `Schedules` is suggested; else what the parameters file has always said.
fn unknown_top_key(name: &str, key: &str) -> Problem {
    let extras = Extra::ALL.map(|e| (e.key(), vec![e.key()]));
    let all = param_spellings()
        .chain(extras)
        .chain([(SCHEDULES, vec![SCHEDULES]), (TAGS, vec![TAGS, "--tags"])])
        .chain([capacity::PERCENT, capacity::SCHEDULE].map(|k| (k, vec![k])));
    let mut problem = unknown_key(name, key);
    if !problem.fix.starts_with("remove ") {
        if let Some(suggestion) = closest(key, all) {
            problem.fix = format!("did you mean {suggestion}?");
        } else {
            problem.fix = format!(
                "{}; a schedule's {}; {SCHEDULES} and {TAGS}",
                problem.fix,
                Extra::ALL.map(Extra::key).join(", ")
            );
        }
    }
    problem
}

/// A problem with the value at `place` in the file.
fn at(name: &str, place: &str, invalid: Invalid) -> Problem {
    Problem {
        parameter: place.to_string(),
        value: None,
        source: Some(format!("file {name}")),
        problem: invalid.problem,
        fix: invalid.fix,
    }
}

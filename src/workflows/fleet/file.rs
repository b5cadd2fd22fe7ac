//! The fleet file: its `Name` (default: the file's stem), and `Defaults` merged into every
//! member of `Members`, each member one definition (what a parameters file gives) plus where
//! it goes (Region, Account, StackName). Checked offline as a whole: every problem of every member, named by its place
//! (`Members.cfd.Schedules.nightly-export.Timezone`). Pure: no I/O, no AWS.

use chrono::{DateTime, Utc};
use fsx_drt_core::Invalid;
use serde_json::{Map, Value};

use crate::definition::{self, Definition, Draft};
use crate::error::Failure;
use crate::params::file::{closest, file_problem, kind, parse_document};
use crate::params::{Problem, Values};

pub const NAME: &str = "Name";
pub const DEFAULTS: &str = "Defaults";
pub const MEMBERS: &str = "Members";
const REGION: &str = "Region";
const ACCOUNT: &str = "Account";
const STACK_NAME: &str = "StackName";
/// The stack tags naming a member's fleet and the member.
pub const FLEET_TAG: &str = "fsx-drt:fleet";
pub const MEMBER_TAG: &str = "fsx-drt:member";

/// The longest fleet name (a StackSet's name has at most 128 characters; room is left).
pub const MAX_NAME_LEN: usize = 100;

/// A fleet file read and checked: its name (tagged on every member's stack, the StackSet's
/// name) and its members.
#[derive(Debug, Clone)]
pub struct FleetFile {
    pub name: String,
    pub members: Vec<Member>,
}

/// One member: a stack of its own, in its region (and account).
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub region: String,
    /// The account the file names, if any (only the caller's is served for now).
    pub account: Option<String>,
    pub stack_name: String,
    /// The stack tags naming its fleet and itself, over the definition's own.
    pub tags: Vec<(String, String)>,
    /// The merged definition as deploy takes it.
    pub draft: Draft,
    pub definition: Definition,
}

/// Reads and checks a fleet file (`name`: its path, whose stem is the fleet's default name);
/// `region` is `--region`, for members without a Region.
pub fn read(
    name: &str,
    bytes: &[u8],
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Result<FleetFile, Failure> {
    let invalid = |problems| Failure::invalid("the fleet file is invalid", problems);
    let document = parse_document(name, bytes).map_err(invalid)?;
    let mut problems = Vec::new();
    let (fleet_name, defaults, members) = top_level(name, document, &mut problems);
    let mut found: Vec<Member> = Vec::new();
    let mut places: Vec<(String, String, String)> = Vec::new();
    for (member, value) in members {
        let place = format!("{MEMBERS}.{member}");
        if let Err(invalid) = definition::validate_name(&member) {
            problems.push(Problem::new(&place, Some(&member), member_name(invalid)));
        }
        let Value::Object(own) = value else {
            problems.push(at(
                name,
                &place,
                format!("a member is a map, not {}", kind(&value)),
            ));
            continue;
        };
        let mut merged = defaults.clone();
        merge(&mut merged, own);
        let before = problems.len();
        let placed = placement(name, &member, &mut merged, region, &mut problems);
        if let Some((region, _, stack)) = &placed {
            places.push((member.clone(), region.clone(), stack.clone()));
        }
        let draft = member_draft(name, &place, merged, &mut problems);
        let own_tags = tags(&fleet_name, &member);
        let count = crate::stack_options::merge_tags(&draft.tags, &own_tags).len();
        problems
            .extend(crate::stack_options::check_tag_count(&format!("{place}.Tags"), count).err());
        let definition = match definition::validate(&draft, now) {
            Ok(definition) => Some(definition),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| under(&place, p)));
                None
            }
        };
        if let (Some((region, account, stack_name)), Some(definition), true) =
            (placed, definition, problems.len() == before)
        {
            found.push(Member {
                name: member,
                region,
                account,
                stack_name,
                tags: own_tags,
                draft,
                definition,
            });
        }
    }
    duplicates(&places, &mut problems);
    match problems.is_empty() {
        true => Ok(FleetFile {
            name: fleet_name,
            members: found,
        }),
        false => Err(invalid(problems)),
    }
}

/// The tags every member's stack carries: its fleet and its name in it (how a member that
/// left the file is found again).
pub fn tags(fleet: &str, member: &str) -> Vec<(String, String)> {
    vec![
        (FLEET_TAG.into(), fleet.into()),
        (MEMBER_TAG.into(), member.into()),
    ]
}

/// The fleet's name: `Name`, else the file's stem; a letter, then letters, digits and
/// hyphens, at most [`MAX_NAME_LEN`] (a StackSet's name, and a tag value on every stack).
fn fleet_name(file: &str, given: Option<Value>, problems: &mut Vec<Problem>) -> String {
    let (name, from_file) = match given {
        None => {
            let stem = std::path::Path::new(file).file_stem();
            (stem.map(|s| s.to_string_lossy().into_owned()), false)
        }
        Some(Value::String(name)) => (Some(name), true),
        Some(other) => {
            problems.push(at(
                file,
                NAME,
                format!("{NAME} is text, not {}", kind(&other)),
            ));
            return String::new();
        }
    };
    let name = name.unwrap_or_default();
    let valid = name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid {
        let problem = format!(
            "a fleet's name is a letter, then letters, digits and hyphens, at most {MAX_NAME_LEN}{}",
            match from_file {
                true => String::new(),
                false => format!(" (without {NAME}, it is the file's name without its extension)"),
            }
        );
        problems.push(Problem::new(
            NAME,
            Some(&name),
            Invalid::new(problem, "give one, e.g. Name: hpc-fleet"),
        ));
    }
    name
}

/// The fleet's name, `Defaults` (a map, optional) and `Members` (a map, at least one), in
/// the file's order.
fn top_level(
    name: &str,
    document: Value,
    problems: &mut Vec<Problem>,
) -> (String, Map<String, Value>, Vec<(String, Value)>) {
    let Value::Object(top) = document else {
        problems.push(at(
            name,
            MEMBERS,
            format!(
                "a fleet file is a map with {MEMBERS} (and {DEFAULTS}), not {}",
                kind(&document)
            ),
        ));
        return (String::new(), Map::new(), Vec::new());
    };
    let (mut defaults, mut members, mut given_name) = (Map::new(), Vec::new(), None);
    for (key, value) in top {
        match (key.as_str(), value) {
            (NAME, value) => given_name = Some(value),
            (DEFAULTS, Value::Object(map)) => defaults = map,
            (MEMBERS, Value::Object(map)) => members = map.into_iter().collect(),
            (DEFAULTS | MEMBERS, other) => problems.push(at(
                name,
                &key,
                format!("{key} is a map, not {}", kind(&other)),
            )),
            (other, _) => {
                let known = [NAME, DEFAULTS, MEMBERS].map(|k| (k, vec![k]));
                let fix = match closest(other, known) {
                    Some(known) => format!("did you mean {known}?"),
                    None => format!("a fleet file has only {NAME}, {DEFAULTS} and {MEMBERS}"),
                };
                problems.push(file_problem(
                    name,
                    Some(other),
                    format!("{other} is not a key of a fleet file"),
                    fix,
                ));
            }
        }
    }
    if members.is_empty() && problems.is_empty() {
        problems.push(at(name, MEMBERS, "the fleet has no members".into()));
    }
    for (key, _) in defaults.iter().filter(|(k, _)| *k == STACK_NAME) {
        problems.push(file_problem(
            name,
            Some(&format!("{DEFAULTS}.{key}")),
            "a stack name in Defaults would be every member's".into(),
            "give StackName per member, or leave it out (fsx-drt-<member>)",
        ));
    }
    let fleet_name = fleet_name(name, given_name, problems);
    (fleet_name, defaults, members)
}

/// The member's keys over the defaults: maps merge key by key (`Schedules` by schedule
/// name, then key; `Tags` as a map by tag key), anything else is replaced.
pub fn merge(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(into)), Value::Object(from)) => merge(into, from),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Region, Account and StackName taken out of the merged map and checked.
fn placement(
    name: &str,
    member: &str,
    merged: &mut Map<String, Value>,
    default_region: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<(String, Option<String>, String)> {
    let place = |key: &str| format!("{MEMBERS}.{member}.{key}");
    let mut text = |key: &str| match merged.remove(key) {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(at(
                name,
                &place(key),
                format!("{key} is text, not {}", kind(&other)),
            ));
            Some(String::new())
        }
    };
    let (region, account, stack) = (text(REGION), text(ACCOUNT), text(STACK_NAME));
    let before = problems.len();
    let region = match region.or_else(|| default_region.map(str::to_string)) {
        Some(region) => region,
        None => {
            problems.push(Problem::new(
                place(REGION),
                None,
                Invalid::new(
                    "the member has no Region",
                    "give Region (e.g. eu-central-1) in the member or in Defaults, or pass --region",
                ),
            ));
            String::new()
        }
    };
    if !region.is_empty() && !is_region(&region) {
        problems.push(Problem::new(
            place(REGION),
            Some(&region),
            Invalid::new(
                "not an AWS Region name",
                "give one such as eu-central-1 or us-east-1",
            ),
        ));
    }
    if let Some(account) = account.as_deref().filter(|a| !is_account(a)) {
        problems.push(Problem::new(
            place(ACCOUNT),
            Some(account),
            Invalid::new(
                "an account id is 12 digits",
                "give it as quoted text, e.g. Account: \"123456789012\"",
            ),
        ));
    }
    let stack = stack.unwrap_or_else(|| format!("fsx-drt-{member}"));
    if let Err(invalid) = crate::params::parse_stack_name(&stack) {
        problems.push(Problem::new(place(STACK_NAME), Some(&stack), invalid));
    }
    (problems.len() == before).then_some((region, account, stack))
}

/// The member's definition, read as a parameters file would be; problems named under it.
fn member_draft(
    name: &str,
    place: &str,
    merged: Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Draft {
    let bytes = serde_json::to_vec(&Value::Object(merged)).expect("a JSON map serializes");
    let file = match definition::read(name, &bytes) {
        Ok(mut file) => {
            let found = std::mem::take(&mut file.problems);
            problems.extend(found.into_iter().map(|p| under(place, p)));
            Some((name.to_string(), file))
        }
        Err(found) => {
            problems.extend(found.into_iter().map(|p| under(place, p)));
            None
        }
    };
    let none = Values::default();
    Draft::new(&none, None, file, &none)
}

/// A problem of a member's definition, named by its place in the fleet file.
fn under(place: &str, mut problem: Problem) -> Problem {
    problem.parameter = match problem.parameter.as_str() {
        "--parameters-file" => place.to_string(),
        key => format!("{place}.{key}"),
    };
    problem
}

/// Two members on one stack of one region would overwrite each other.
fn duplicates(places: &[(String, String, String)], problems: &mut Vec<Problem>) {
    for (i, (member, region, stack)) in places.iter().enumerate() {
        let first = places[..i]
            .iter()
            .find(|(_, r, s)| r == region && s == stack);
        if let Some((first, _, _)) = first {
            problems.push(Problem::new(
                format!("{MEMBERS}.{member}.{STACK_NAME}"),
                Some(stack),
                Invalid::new(
                    format!("member {first} deploys stack {stack} in {region} too"),
                    "give each member of a region its own StackName",
                ),
            ));
        }
    }
}

fn member_name(invalid: Invalid) -> Invalid {
    Invalid::new(
        invalid
            .problem
            .replace("a schedule's name", "a member's name"),
        invalid.fix.replace("nightly-export", "genomics"),
    )
}

fn at(name: &str, place: &str, problem: String) -> Problem {
    file_problem(
        name,
        Some(place),
        problem,
        "see the fleet file's format in the README (Fleets)",
    )
}

/// `eu-central-1`, `us-gov-west-1`: lowercase words and a number, joined by hyphens.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn is_account(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}

//! `After: <other schedule>`: a schedule that waits for another's task of its current slot
//! (the Lambda's rule is `fsx_drt_core::after`). Checked over the whole definition: the name
//! must be another schedule of it, and no schedule may wait on itself through others.

use fsx_drt_core::Invalid;

use super::rules::sourced;
use super::{place, Draft, Extra};
use crate::params::file::closest;
use crate::params::Problem;

/// Every problem with the definition's `After` keys, each named by its place.
pub fn check(draft: &Draft) -> Vec<Problem> {
    let names: Vec<&str> = draft.schedules.iter().map(|s| s.name.as_str()).collect();
    let after_of = |name: &str| {
        draft
            .schedules
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.extras.get(&Extra::After))
            .map(|(v, _)| v.trim())
    };
    let mut problems = Vec::new();
    for schedule in &draft.schedules {
        let Some((text, source)) = schedule.extras.get(&Extra::After) else {
            continue;
        };
        let (name, other) = (schedule.name.as_str(), text.trim());
        let key = place(draft.mapped, name, Extra::After.key());
        let invalid = if other == name {
            Some(Invalid::new(
                "a schedule cannot wait for itself",
                "name another schedule of this definition, or remove After",
            ))
        } else if !names.contains(&other) {
            let near = closest(other, names.iter().map(|n| (*n, vec![*n])));
            Some(Invalid::new(
                format!(
                    "no schedule {other} in this definition (it has {})",
                    names.join(", ")
                ),
                match near {
                    Some(n) => format!("did you mean {n}?"),
                    None => "name one of the definition's schedules".to_string(),
                },
            ))
        } else {
            // Follow the chain: back at this schedule is a cycle (one elsewhere on the chain
            // is reported at its own schedules).
            let mut chain = vec![name, other];
            let cycle = loop {
                match after_of(chain[chain.len() - 1]) {
                    Some(next) if next == name => break true,
                    Some(next) if !chain.contains(&next) => chain.push(next),
                    _ => break false,
                }
            };
            cycle.then(|| {
                chain.push(name);
                Invalid::new(
                    format!(
                        "the schedules wait for each other: {}",
                        chain.join(" after ")
                    ),
                    "remove After from one of them",
                )
            })
        };
        problems.extend(invalid.map(|invalid| sourced(&key, text, source, invalid)));
    }
    problems
}

//! A fleet as one stack set, worked out offline: one template for every member (a stack set
//! has one), the values every member shares as the stack set's parameters, and each
//! member's own values as its instance's parameter overrides; then, against what the stack
//! set holds, what each member needs (the plan). Pure: no I/O, no AWS.

use std::collections::BTreeMap;

use fsx_drt_core::Invalid;

use super::super::Member;
use crate::aws::InstanceView;
use crate::error::Failure;
use crate::params::Problem;

/// One member's rendered template and parameter values.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub template: String,
    pub values: Vec<(String, String)>,
}

/// The stack set's template and parameters, and each member's overrides (in member order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub template: String,
    pub parameters: Vec<(String, String)>,
    pub overrides: Vec<Vec<(String, String)>>,
}

/// Where a member's instance is: its account (the caller's when the file names none) and
/// region.
pub fn place(member: &Member, caller: &str) -> (String, String) {
    let account = member.account.clone().unwrap_or_else(|| caller.to_string());
    (account, member.region.clone())
}

/// Checks that the members fit one stack set and lays out its parameters; every problem
/// named by its member's place, exit 2.
pub fn layout(members: &[Member], rendered: &[Rendered], caller: &str) -> Result<Layout, Failure> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<(String, String), &str> = BTreeMap::new();
    for m in members {
        let (account, region) = place(m, caller);
        if let Some(first) = seen.insert((account.clone(), region.clone()), &m.name) {
            problems.push(Problem::new(
                format!("Members.{}.Region", m.name),
                Some(&region),
                Invalid::new(
                    format!("member {first} is in account {account}, region {region} too: a stack set has one instance per account and region"),
                    "put one of them in a fleet file of its own (another stack set), or in another region",
                ),
            ));
        }
        if m.definition.capacity_release.is_some() {
            problems.push(Problem::new(
                format!("Members.{}.ReleaseWhenFreeBelowPercent", m.name),
                None,
                Invalid::new(
                    "the capacity alarm needs the file system's size, which fsx-drt cannot read in another account through StackSets",
                    "leave ReleaseWhenFreeBelowPercent out of members deployed with StackSets, or deploy that member with its own account's credentials",
                ),
            ));
        }
    }
    let first = &rendered[0];
    for (m, r) in members.iter().zip(rendered).skip(1) {
        if r.template != first.template {
            problems.push(Problem::new(
                format!("Members.{}.Schedules", m.name),
                None,
                Invalid::new(
                    format!("its schedules (or its extra alarm addresses) differ from member {}'s: a stack set deploys one template to every member", members[0].name),
                    "give every member the same schedules (in Defaults) and keep member keys to stack-wide values (FileSystemId, EmailAddress, ...), or put this member in a fleet file of its own",
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Failure::invalid(
            "the fleet cannot be one stack set",
            problems,
        ));
    }
    let keys: Vec<&String> = first.values.iter().map(|(k, _)| k).collect();
    let value = |r: &Rendered, key: &str| {
        (r.values.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let own: Vec<&String> = (keys.iter().copied())
        .filter(|k| rendered.iter().any(|r| value(r, k) != value(first, k)))
        .collect();
    let parameters = (keys.iter())
        .map(|k| (k.to_string(), value(first, k)))
        .collect();
    let overrides = (rendered.iter())
        .map(|r| own.iter().map(|k| (k.to_string(), value(r, k))).collect())
        .collect();
    Ok(Layout {
        template: first.template.clone(),
        parameters,
        overrides,
    })
}

/// The layout on the stack set's own parameters, when its template is the same and it has
/// the same parameters: each member's overrides are then the values that differ from them,
/// so that a member added or removed (which can change which values all members share)
/// leaves the stack set and the other instances alone.
pub fn rebase(layout: Layout, existing: &Existing<'_>) -> Layout {
    let keys = |v: &[(String, String)]| {
        let mut k: Vec<String> = v.iter().map(|(k, _)| k.clone()).collect();
        k.sort();
        k
    };
    if existing.template.trim() != layout.template.trim()
        || keys(existing.parameters) != keys(&layout.parameters)
    {
        return layout;
    }
    let overrides = (layout.overrides.iter())
        .map(|own| {
            (effective(&layout.parameters, own).into_iter())
                .filter(|kv| !existing.parameters.contains(kv))
                .collect()
        })
        .collect();
    Layout {
        template: layout.template,
        parameters: existing.parameters.to_vec(),
        overrides,
    }
}

/// The values an instance deploys with: the stack set's, its overrides over them.
pub fn effective(
    parameters: &[(String, String)],
    overrides: &[(String, String)],
) -> Vec<(String, String)> {
    (parameters.iter())
        .map(|(k, v)| {
            let over = overrides.iter().find(|(o, _)| o == k);
            (k.clone(), over.map_or(v, |(_, o)| o).clone())
        })
        .collect()
}

/// What a member's (or a departed instance's) instance needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    /// New overrides (UpdateStackInstances).
    Update,
    /// Changed only by the stack set's own update.
    FollowSet,
    Unchanged,
    /// Its account and region are no member's any more.
    Delete,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update | Action::FollowSet => "update",
            Action::Unchanged => "none",
            Action::Delete => "delete",
        }
    }
}

/// The stack set as it is, when there is one.
pub struct Existing<'a> {
    pub template: &'a str,
    pub parameters: &'a [(String, String)],
    /// Its instances, with their overrides.
    pub instances: &'a [InstanceView],
}

/// What deploy does: create the stack set, or update it (template or shared values
/// changed), then each member's action, and the instances of departed members to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub create_set: bool,
    pub update_set: bool,
    pub members: Vec<Action>,
    /// (account, region) of instances no member names.
    pub departed: Vec<(String, String)>,
}

pub fn plan(layout: &Layout, places: &[(String, String)], existing: Option<&Existing<'_>>) -> Plan {
    let Some(existing) = existing else {
        return Plan {
            create_set: true,
            update_set: false,
            members: vec![Action::Create; places.len()],
            departed: Vec::new(),
        };
    };
    let sorted = |v: &[(String, String)]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    let update_set = existing.template.trim() != layout.template.trim()
        || sorted(existing.parameters) != sorted(&layout.parameters);
    let members = (places.iter().zip(&layout.overrides))
        .map(|((account, region), overrides)| {
            let found =
                (existing.instances.iter()).find(|i| &i.account == account && &i.region == region);
            match found {
                None => Action::Create,
                // Other values, or an instance left OUTDATED (failed) deployed again.
                Some(i)
                    if sorted(&effective(existing.parameters, &i.overrides))
                        != sorted(&effective(&layout.parameters, overrides))
                        || i.status != "CURRENT" =>
                {
                    Action::Update
                }
                Some(_) if update_set => Action::FollowSet,
                Some(_) => Action::Unchanged,
            }
        })
        .collect();
    let departed = (existing.instances.iter())
        .filter(|i| {
            !places
                .iter()
                .any(|(a, r)| a == &i.account && r == &i.region)
        })
        .map(|i| (i.account.clone(), i.region.clone()))
        .collect();
    Plan {
        create_set: false,
        update_set,
        members,
        departed,
    }
}

/// The stack's name in an instance's StackId (`arn:...:stack/NAME/uuid`).
pub fn stack_name(stack_id: &str) -> Option<&str> {
    stack_id.split(":stack/").nth(1)?.split('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(yaml: &str) -> Vec<Member> {
        crate::workflows::fleet::file::read("f.yaml", yaml.as_bytes(), None, chrono::Utc::now())
            .unwrap()
            .members
    }

    fn rendered(template: &str, fs: &str) -> Rendered {
        Rendered {
            template: template.into(),
            values: vec![
                ("EmailAddress".into(), "ops@example.com".into()),
                ("FileSystemId".into(), fs.into()),
            ],
        }
    }

    const TWO: &str = "Defaults: {EmailAddress: ops@example.com}\nMembers:\n  a: {FileSystemId: fs-0123456789abcdef0, Region: eu-west-1, Account: '222222222222'}\n  b: {FileSystemId: fs-0fedcba9876543210, Region: eu-west-1}\n";

    #[test]
    fn shared_values_are_the_stack_set_s_and_each_member_s_own_are_its_overrides() {
        let m = members(TWO);
        let r = [rendered("T", "fs-a"), rendered("T", "fs-b")];
        let layout = layout(&m, &r, "111111111111").unwrap();
        assert_eq!(
            layout.parameters[0],
            ("EmailAddress".into(), "ops@example.com".into())
        );
        assert_eq!(
            layout.overrides[0],
            [("FileSystemId".to_string(), "fs-a".to_string())]
        );
        assert_eq!(
            layout.overrides[1],
            [("FileSystemId".to_string(), "fs-b".to_string())]
        );
        assert_eq!(
            effective(&layout.parameters, &layout.overrides[1])[1],
            ("FileSystemId".into(), "fs-b".into())
        );
    }

    #[test]
    fn a_fleet_that_is_not_one_stack_set_is_refused_naming_each_member() {
        let m = members(TWO);
        let r = [rendered("T", "fs-a"), rendered("OTHER", "fs-b")];
        let failure = layout(&m, &r, "111111111111").unwrap_err();
        let text = format!("{failure:?}");
        assert_eq!(failure.exit, crate::error::Exit::Invalid);
        assert!(text.contains("Members.b.Schedules"), "{text}");
        // b has no Account: the caller's; the same account and region twice.
        let m = members(&TWO.replace("Account: '222222222222'", "Account: '111111111111'"));
        let r = [rendered("T", "fs-a"), rendered("T", "fs-b")];
        let text = format!("{:?}", layout(&m, &r, "111111111111").unwrap_err());
        assert!(text.contains("Members.b.Region"), "{text}");
        assert!(
            text.contains("one instance per account and region"),
            "{text}"
        );
    }

    fn instance(account: &str, overrides: &[(&str, &str)], status: &str) -> InstanceView {
        InstanceView {
            account: account.into(),
            region: "eu-west-1".into(),
            stack_id: None,
            status: status.into(),
            detailed_status: "SUCCEEDED".into(),
            reason: None,
            overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn layout_of(m: &[Member], r: &[Rendered]) -> Layout {
        layout(m, r, "111111111111").unwrap()
    }

    #[test]
    fn the_plan_creates_updates_leaves_and_deletes_instances() {
        let m = members(TWO);
        let layout = layout(
            &m,
            &[rendered("T", "fs-a"), rendered("T", "fs-b")],
            "111111111111",
        )
        .unwrap();
        let places: Vec<_> = m.iter().map(|m| place(m, "111111111111")).collect();
        assert_eq!(
            plan(&layout, &places, None),
            Plan {
                create_set: true,
                update_set: false,
                members: vec![Action::Create; 2],
                departed: vec![]
            }
        );
        let instances = [
            instance("222222222222", &[("FileSystemId", "fs-a")], "CURRENT"),
            instance("333333333333", &[], "CURRENT"),
        ];
        let existing = Existing {
            template: "T",
            parameters: &layout.parameters,
            instances: &instances,
        };
        let p = plan(&layout, &places, Some(&existing));
        assert_eq!(p.members, [Action::Unchanged, Action::Create]);
        assert!(!p.update_set);
        assert_eq!(
            p.departed,
            [("333333333333".to_string(), "eu-west-1".to_string())]
        );
        let outdated = [instance(
            "222222222222",
            &[("FileSystemId", "fs-a")],
            "OUTDATED",
        )];
        let existing = Existing {
            template: "NEW",
            parameters: &layout.parameters,
            instances: &outdated,
        };
        let p = plan(&layout, &places, Some(&existing));
        assert!(p.update_set, "a new template updates the stack set");
        assert_eq!(
            p.members[0],
            Action::Update,
            "an OUTDATED instance is deployed again"
        );
        let changed = [instance(
            "222222222222",
            &[("FileSystemId", "fs-old")],
            "CURRENT",
        )];
        let existing = Existing {
            template: "T",
            parameters: &layout.parameters,
            instances: &changed,
        };
        assert_eq!(
            plan(&layout, &places, Some(&existing)).members[0],
            Action::Update
        );
        // b leaves: FileSystemId stays the stack set's (a's), a's instance is left alone.
        let one = members(&TWO.replace(
            "  b: {FileSystemId: fs-0fedcba9876543210, Region: eu-west-1}\n",
            "",
        ));
        let alone = layout_of(&one, &[rendered("T", "fs-a")]);
        assert!(
            alone.overrides[0].is_empty(),
            "one member shares all with itself"
        );
        let before = [instance(
            "222222222222",
            &[("FileSystemId", "fs-a")],
            "CURRENT",
        )];
        let existing = Existing {
            template: "T",
            parameters: &layout.parameters,
            instances: &before,
        };
        let rebased = rebase(alone, &existing);
        assert_eq!(rebased.parameters, layout.parameters);
        let places: Vec<_> = one.iter().map(|m| place(m, "111111111111")).collect();
        let p = plan(&rebased, &places, Some(&existing));
        assert_eq!(
            (p.update_set, p.members[0]),
            (false, Action::Unchanged),
            "{p:?}"
        );
        assert_eq!(
            stack_name("arn:aws:cloudformation:eu-west-1:2:stack/StackSet-x-1/abc"),
            Some("StackSet-x-1")
        );
    }
}

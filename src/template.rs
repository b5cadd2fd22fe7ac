//! The CloudFormation template deploy uses, embedded at build time.

use serde_json::{Map, Value};
use serde_yaml::value::TaggedValue;

/// The template as written (YAML, short-form intrinsics).
pub const TEMPLATE_YAML: &str = include_str!("../templates/fsx-drt.yaml");

/// The template as JSON, with `!Ref x` and friends in their long `{"Ref": x}` form, for tools
/// that read JSON (CloudFormation accepts both).
pub fn template_json() -> Value {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(TEMPLATE_YAML).expect("the embedded template is valid YAML");
    to_json(yaml)
}

fn to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (key_string(k), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Y::Tagged(tagged) => intrinsic(*tagged),
    }
}

fn key_string(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        other => serde_yaml::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// `!Ref x` -> `{"Ref": x}`, `!GetAtt a.b` -> `{"Fn::GetAtt": ["a", "b"]}`,
/// `!Condition c` -> `{"Condition": c}`, `!X v` -> `{"Fn::X": v}`.
fn intrinsic(tagged: TaggedValue) -> Value {
    let name = tagged.tag.to_string();
    let name = name.trim_start_matches('!');
    let value = to_json(tagged.value);
    let (key, value) = match (name, value) {
        ("Ref", v) => ("Ref".to_string(), v),
        ("Condition", v) => ("Condition".to_string(), v),
        ("GetAtt", Value::String(s)) => {
            let parts = match s.split_once('.') {
                Some((resource, attribute)) => vec![resource.into(), attribute.into()],
                None => vec![Value::String(s)],
            };
            ("Fn::GetAtt".to_string(), Value::Array(parts))
        }
        (other, v) => (format!("Fn::{other}"), v),
    };
    Value::Object(Map::from_iter([(key, value)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let yaml = "a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub '${X}-y'\nd: !If [C, 1, 2]\n";
        let json = to_json(serde_yaml::from_str(yaml).unwrap());
        assert_eq!(
            json,
            serde_json::json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["R", "Arn"]},
                "c": {"Fn::Sub": "${X}-y"},
                "d": {"Fn::If": ["C", 1, 2]},
            })
        );
    }

    #[test]
    fn embedded_template_converts() {
        let json = template_json();
        assert!(json["Resources"].is_object());
        assert!(json["Parameters"]["FileSystemId"].is_object());
    }
}

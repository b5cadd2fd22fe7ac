//! `--parameters-file`: the reference's JSON array of `{"ParameterKey", "ParameterValue"}`
//! (what `aws cloudformation create-stack --parameters file://...` takes), or a plain YAML or
//! JSON map of key to value.

use fsx_drt_lambda::Invalid;
use serde_json::Value;

use super::{Param, Problem, Values};

/// Keys the template has that fsx-drt sets itself, and from what.
const MANAGED_KEYS: [(&str, &str); 3] = [
    ("CodeBucket", "to the bundled Lambda artifact"),
    ("CodeKey", "to the bundled Lambda artifact"),
    (crate::template::MAXIMUM_EVENT_AGE, "from the schedule"),
];

enum Format {
    Json,
    Yaml,
}

/// Parses a parameters file's text; `name` is how problems refer to the file.
pub fn parse_file(name: &str, text: &str) -> Result<Values, Vec<Problem>> {
    let lower = name.to_ascii_lowercase();
    let format = if lower.ends_with(".json") {
        Format::Json
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Format::Yaml
    } else if text.trim_start().starts_with(['[', '{']) {
        Format::Json
    } else {
        Format::Yaml
    };
    let document: Value = match format {
        Format::Json => serde_json::from_str(text).map_err(|e| {
            syntax_problem(name, "JSON", Some((e.line(), e.column())), &e.to_string())
        })?,
        Format::Yaml => serde_yaml::from_str(text).map_err(|e| {
            let at = e.location().map(|l| (l.line(), l.column()));
            syntax_problem(name, "YAML", at, &e.to_string())
        })?,
    };
    let pairs = match document {
        Value::Array(entries) => reference_entries(name, entries)?,
        Value::Object(map) => map.into_iter().collect(),
        Value::Null => Vec::new(),
        other => {
            return Err(vec![file_problem(
                name,
                None,
                format!("the file holds a {}, not parameters", kind(&other)),
                "write a JSON array of {\"ParameterKey\": ..., \"ParameterValue\": ...} or a map of parameter names to values",
            )])
        }
    };
    let mut values = Values::new();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let Some(param) = Param::from_key(&key) else {
            problems.push(unknown_key(name, &key));
            continue;
        };
        match scalar(param, value) {
            Ok(text) => {
                if values.insert(param, text).is_some() {
                    problems.push(file_problem(
                        name,
                        Some(&key),
                        format!("{key} is given more than once"),
                        "keep one entry for it",
                    ));
                }
            }
            Err(invalid) => problems.push(Problem {
                parameter: key.clone(),
                value: None,
                source: Some(format!("file {name}")),
                problem: invalid.problem,
                fix: invalid.fix,
            }),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// The reference's form. `UsePreviousValue: true` means "keep the stack's value", so the
/// entry gives no value of its own.
fn reference_entries(
    name: &str,
    entries: Vec<Value>,
) -> Result<Vec<(String, Value)>, Vec<Problem>> {
    let mut pairs = Vec::new();
    let mut problems = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let position = format!("entry {} of the array", i + 1);
        let Value::Object(mut map) = entry else {
            problems.push(file_problem(
                name,
                None,
                format!("{position} is not an object"),
                "write each entry as {\"ParameterKey\": \"Name\", \"ParameterValue\": \"value\"}",
            ));
            continue;
        };
        let key = match map.remove("ParameterKey") {
            Some(Value::String(key)) => key,
            _ => {
                problems.push(file_problem(
                    name,
                    None,
                    format!("{position} has no ParameterKey string"),
                    "add \"ParameterKey\": \"Name\" to it",
                ));
                continue;
            }
        };
        let use_previous = matches!(map.remove("UsePreviousValue"), Some(Value::Bool(true)));
        map.remove("ResolvedValue");
        let value = map.remove("ParameterValue");
        if let Some(extra) = map.keys().next() {
            problems.push(file_problem(
                name,
                Some(&key),
                format!("{position} ({key}) has an unknown field {extra}"),
                "entries have ParameterKey, ParameterValue and optionally UsePreviousValue",
            ));
            continue;
        }
        match (value, use_previous) {
            (Some(value), false) => pairs.push((key, value)),
            (None, true) => {}
            (Some(_), true) => problems.push(file_problem(
                name,
                Some(&key),
                format!("{key} has both a ParameterValue and UsePreviousValue: true"),
                "keep one of them",
            )),
            (None, false) => problems.push(file_problem(
                name,
                Some(&key),
                format!("{key} has no ParameterValue"),
                "add \"ParameterValue\": \"...\" to the entry, or remove the entry",
            )),
        }
    }
    if problems.is_empty() {
        Ok(pairs)
    } else {
        Err(problems)
    }
}

/// A value as the template takes it: strings, numbers and booleans as text; a list of paths
/// for Paths (quoted as needed).
fn scalar(param: Param, value: Value) -> Result<String, Invalid> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) if param == Param::Paths => {
            let mut paths = Vec::new();
            for item in items {
                match item {
                    Value::String(s) if s.contains('"') => {
                        return Err(Invalid::new(
                            format!("the path {s} contains a quote"),
                            "remove the quote from the path",
                        ))
                    }
                    Value::String(s) if s.contains(char::is_whitespace) => {
                        paths.push(format!("\"{s}\""))
                    }
                    Value::String(s) => paths.push(s),
                    other => {
                        return Err(Invalid::new(
                            format!("the list holds a {}, not a path", kind(&other)),
                            "list paths as strings",
                        ))
                    }
                }
            }
            Ok(paths.join(" "))
        }
        other => Err(Invalid::new(
            format!("the value is a {}, not text or a number", kind(&other)),
            if param == Param::Paths {
                "give the paths as one string or a list of strings"
            } else {
                "give the value as a string"
            },
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

fn syntax_problem(
    name: &str,
    format: &str,
    at: Option<(usize, usize)>,
    message: &str,
) -> Vec<Problem> {
    let position = at.map_or(String::new(), |(line, column)| {
        format!(" at line {line}, column {column}")
    });
    // serde's messages end with their own "at line ..."; the position is said once, first.
    let message = message.split(" at line ").next().unwrap_or(message);
    vec![file_problem(
        name,
        None,
        format!("the file is not valid {format}{position}: {message}"),
        format!("correct the {format} syntax there"),
    )]
}

fn file_problem(name: &str, key: Option<&str>, problem: String, fix: impl Into<String>) -> Problem {
    Problem {
        parameter: key.map_or_else(|| "--parameters-file".to_string(), str::to_string),
        value: None,
        source: Some(format!("file {name}")),
        problem,
        fix: fix.into(),
    }
}

fn unknown_key(name: &str, key: &str) -> Problem {
    let fix = if let Some((_, from)) = MANAGED_KEYS.iter().find(|(k, _)| *k == key) {
        format!("remove {key}: fsx-drt deploy sets it {from}")
    } else if let Some(suggestion) = did_you_mean(key) {
        format!("did you mean {suggestion}?")
    } else {
        format!(
            "the known keys are {}",
            Param::ALL.map(Param::key).join(", ")
        )
    };
    Problem {
        parameter: key.to_string(),
        value: None,
        source: Some(format!("file {name}")),
        problem: format!("{key} is not a parameter of this stack"),
        fix,
    }
}

/// The known key closest to `key`: same letters ignoring case and separators, a flag or
/// environment spelling, or a near miss.
fn did_you_mean(key: &str) -> Option<&'static str> {
    let squash = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = squash(key);
    let wanted = wanted.strip_prefix("fsxdrt").unwrap_or(&wanted);
    Param::ALL
        .into_iter()
        .map(|p| {
            let score = [p.key(), p.flag(), p.env().trim_start_matches("FSX_DRT_")]
                .iter()
                .map(|alias| strsim::jaro_winkler(wanted, &squash(alias)))
                .fold(0.0, f64::max);
            (p, score)
        })
        .filter(|(_, score)| *score >= 0.85)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, _)| p.key())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(name: &str, text: &str) -> Vec<(&'static str, String)> {
        parse_file(name, text)
            .unwrap()
            .into_iter()
            .map(|(p, v)| (p.key(), v))
            .collect()
    }

    fn err(name: &str, text: &str) -> Vec<Problem> {
        parse_file(name, text).unwrap_err()
    }

    #[test]
    fn the_reference_parameters_json() {
        let text = r#"[
  { "ParameterKey": "EmailAddress", "ParameterValue": "your-email@example.com" },
  { "ParameterKey": "Schedule", "ParameterValue": "15 6 * * ? *" },
  { "ParameterKey": "FileSystemId", "ParameterValue": "fs-0123456789abcdef0" },
  { "ParameterKey": "Paths", "ParameterValue": "/drt-test" },
  { "ParameterKey": "TaskType", "ParameterValue": "Import" }
]"#;
        assert_eq!(
            ok("parameters.json", text),
            [
                ("FileSystemId", "fs-0123456789abcdef0".to_string()),
                ("Schedule", "15 6 * * ? *".into()),
                ("Paths", "/drt-test".into()),
                ("TaskType", "Import".into()),
                ("EmailAddress", "your-email@example.com".into()),
            ]
        );
    }

    #[test]
    fn use_previous_value_gives_no_value() {
        let text = r#"[{"ParameterKey": "Paths", "UsePreviousValue": true}]"#;
        assert!(ok("p.json", text).is_empty());
    }

    #[test]
    fn yaml_map_with_numbers_and_path_lists() {
        let text = "FileSystemId: fs-0123abcd\nReleaseAfterDays: 7\nPaths:\n  - /a\n  - /b c\n";
        assert_eq!(
            ok("p.yaml", text),
            [
                ("FileSystemId", "fs-0123abcd".to_string()),
                ("Paths", "/a \"/b c\"".into()),
                ("ReleaseAfterDays", "7".into()),
            ]
        );
        // No extension: sniffed.
        assert_eq!(ok("params", "{\"Paths\": \"/x\"}").len(), 1);
        assert_eq!(ok("params", "Paths: /x").len(), 1);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let json = err(
            "p.json",
            "[\n  {\"ParameterKey\": \"Paths\",\n   \"ParameterValue\" \"/x\"}\n]",
        );
        assert!(
            json[0].problem.contains("line 3, column 21"),
            "{}",
            json[0].problem
        );
        let yaml = err("p.yaml", "Paths: /x\n  Schedule: [\n");
        assert!(yaml[0].problem.contains("line 2"), "{}", yaml[0].problem);
        assert_eq!(yaml[0].parameter, "--parameters-file");
    }

    #[test]
    fn unknown_keys_suggest_the_right_one() {
        for (key, suggestion) in [
            ("FileSystemID", "did you mean FileSystemId?"),
            ("file_system_id", "did you mean FileSystemId?"),
            ("Email", "did you mean EmailAddress?"),
            ("ReportPath", "did you mean TaskCompletionReportPath?"),
            ("Shedule", "did you mean Schedule?"),
            ("CodeBucket", "remove CodeBucket: fsx-drt deploy sets it"),
            ("Colour", "the known keys are FileSystemId"),
        ] {
            let problems = err("p.yaml", &format!("{key}: x"));
            assert_eq!(problems[0].parameter, key);
            assert!(
                problems[0].fix.starts_with(suggestion),
                "{key}: {}",
                problems[0].fix
            );
        }
    }

    #[test]
    fn malformed_entries() {
        for (text, says) in [
            (r#"[{"ParameterValue": "x"}]"#, "no ParameterKey"),
            (r#"[{"ParameterKey": "Paths"}]"#, "no ParameterValue"),
            (
                r#"[{"ParameterKey": "Paths", "ParameterValue": "/", "Extra": 1}]"#,
                "unknown field Extra",
            ),
            (r#"[1]"#, "not an object"),
            (r#""text""#, "holds a string"),
            (r#"{"Paths": {"a": 1}}"#, "is a map"),
            (
                r#"[{"ParameterKey": "Paths", "ParameterValue": "/"}, {"ParameterKey": "Paths", "ParameterValue": "/x"}]"#,
                "more than once",
            ),
        ] {
            let problems = err("p.json", text);
            assert!(
                problems[0].problem.contains(says),
                "{text}: {:?}",
                problems[0]
            );
        }
    }
}

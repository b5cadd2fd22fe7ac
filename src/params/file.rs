//! `--parameters-file`: the reference's JSON array of `{"ParameterKey", "ParameterValue"}`
//! (what `aws cloudformation create-stack --parameters file://...` takes), or a plain YAML or
//! JSON map of key to value.

use fsx_drt_core::Invalid;
use serde_json::Value;

use super::{Param, Problem, Values};

/// Keys the template has that fsx-drt sets itself, and from what.
const MANAGED_KEYS: [(&str, &str); 3] = [
    (
        crate::template::CODE_BUCKET,
        "to the bundled Lambda artifact",
    ),
    (crate::template::CODE_KEY, "to the bundled Lambda artifact"),
    (crate::template::MAXIMUM_EVENT_AGE, "from the schedule"),
];

/// The largest parameters file read: the reference's is under 1 KB.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The deepest nesting read: a parameters file needs three levels. The YAML parser takes
/// super-linear time on deep nesting, so it is refused before parsing.
const MAX_DEPTH: usize = 32;

enum Format {
    Json,
    Yaml,
}

/// Parses a parameters file's bytes; `name` is how problems refer to the file.
pub fn parse_file(name: &str, bytes: &[u8]) -> Result<Values, Vec<Problem>> {
    values(name, parse_document(name, bytes)?)
}

/// The file's document, checked for size, encoding, depth, syntax and keys given twice.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Value, Vec<Problem>> {
    let text = decode(name, bytes)?;
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
    check_depth(name, text, matches!(format, Format::Yaml))?;
    let document: Value = match format {
        Format::Json => {
            let document = serde_json::from_str(text).map_err(|e| {
                syntax_problem(name, "JSON", Some((e.line(), e.column())), &e.to_string())
            })?;
            check_json_duplicates(name, text)?;
            document
        }
        Format::Yaml => {
            // serde_norway's own value refuses a key given twice; serde_json's keeps the last.
            if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(text) {
                if let Some(key) = duplicate_yaml_key(&e.to_string()) {
                    let map = e.location().map(|l| (l.line(), l.column()));
                    let at = match (yaml_key_lines(text, &key, map), map) {
                        (lines, _) if lines.len() == 2 => Some((lines[0], lines[1])),
                        _ => None,
                    };
                    return Err(vec![duplicate_key(name, &key, at, map.map(|m| m.0))]);
                }
            }
            serde_yaml::from_str(text).map_err(|e| {
                let at = e.location().map(|l| (l.line(), l.column()));
                syntax_problem(name, "YAML", at, &e.to_string())
            })?
        }
    };
    Ok(document)
}

/// The parameters of a flat document: the reference's array or a map of keys to values.
pub fn values(name: &str, document: Value) -> Result<Values, Vec<Problem>> {
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
        match scalar(param == Param::Paths, value) {
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
/// when `paths` (quoted as needed).
pub fn scalar(paths: bool, value: Value) -> Result<String, Invalid> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) if paths => {
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
            if paths {
                "give the paths as one string or a list of strings"
            } else {
                "give the value as a string"
            },
        )),
    }
}

pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

/// The file's text: UTF-8, a byte-order mark (Windows editors add one) dropped.
fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, Vec<Problem>> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(vec![file_problem(
            name,
            None,
            format!(
                "the file is larger than {} KiB; a parameters file is a few hundred bytes",
                MAX_FILE_BYTES / 1024
            ),
            "give the parameters file (a JSON array or a YAML/JSON map), not another file",
        )]);
    }
    // UTF-16 starts with its byte-order mark, or has a NUL beside the first ASCII character.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || (bytes.len() >= 2 && (bytes[0] == 0) != (bytes[1] == 0));
    if utf16 {
        return Err(vec![file_problem(
            name,
            None,
            "the file is UTF-16 text; fsx-drt reads UTF-8".into(),
            "save it as UTF-8 (PowerShell: Out-File -Encoding utf8; an editor: save with encoding UTF-8)",
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        vec![file_problem(
            name,
            None,
            format!(
                "the file is not UTF-8 text: byte {:#04x} at line {line} is not UTF-8",
                bytes[at]
            ),
            "save it as UTF-8",
        )]
    })
}

/// Refuses nesting deeper than [`MAX_DEPTH`] before a parser sees it: brackets outside
/// quoted strings, and in YAML also indentation and `- ` items (two columns a level).
fn check_depth(name: &str, text: &str, yaml: bool) -> Result<(), Vec<Problem>> {
    let mut brackets = 0usize;
    let mut quote = None;
    for (number, line) in text.lines().enumerate() {
        let mut block = 0;
        if yaml && quote.is_none() && brackets == 0 {
            let rest = line.trim_start_matches(' ');
            let mut columns = line.len() - rest.len();
            let mut items = rest;
            while let Some(after) = items
                .strip_prefix('-')
                .filter(|a| a.starts_with([' ', '\t']))
            {
                items = after.trim_start();
                columns += 2;
            }
            block = columns / 2;
        }
        let mut escaped = false;
        for c in line.chars() {
            match (quote, c) {
                (Some('"'), '\\') if !escaped => {
                    escaped = true;
                    continue;
                }
                (Some(q), c) if c == q && !escaped => quote = None,
                (None, '"') => quote = Some('"'),
                (None, '\'') if yaml => quote = Some('\''),
                (None, '#') if yaml => break,
                (None, '[' | '{') => brackets += 1,
                (None, ']' | '}') => brackets = brackets.saturating_sub(1),
                _ => {}
            }
            escaped = false;
            if block + brackets > MAX_DEPTH {
                break;
            }
        }
        if block + brackets > MAX_DEPTH {
            return Err(vec![file_problem(
                name,
                None,
                format!(
                    "the file nests more than {MAX_DEPTH} levels deep (line {}); parameters need three",
                    number + 1
                ),
                "write a JSON array of {\"ParameterKey\": ..., \"ParameterValue\": ...} or a flat map of parameter names to values",
            )]);
        }
    }
    Ok(())
}

/// A key given twice in one JSON object (serde_json keeps the last silently), with the
/// lines of both. `text` is valid JSON.
fn check_json_duplicates(name: &str, text: &str) -> Result<(), Vec<Problem>> {
    // Per open object its keys and their lines; `None` for an array.
    let mut open: Vec<Option<Vec<(String, usize)>>> = Vec::new();
    let mut last_string = None;
    let mut line = 1;
    let mut chars = text.char_indices();
    while let Some((start, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let mut end = start;
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            end = i;
                            break;
                        }
                        _ => {}
                    }
                }
                last_string = Some((&text[start..=end], line));
                continue;
            }
            ':' => {
                if let (Some(Some(keys)), Some((raw, at))) = (open.last_mut(), last_string) {
                    let key: String = serde_json::from_str(raw).unwrap_or_else(|_| raw.into());
                    if let Some((_, first)) = keys.iter().find(|(k, _)| *k == key) {
                        return Err(vec![duplicate_key(name, &key, Some((*first, at)), None)]);
                    }
                    keys.push((key, at));
                }
            }
            '{' => open.push(Some(Vec::new())),
            '[' => open.push(None),
            '}' | ']' => {
                open.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last_string = None;
        }
    }
    Ok(())
}

/// The key of serde_norway's "[1]: duplicate entry with key \"Paths\" at line 3 column 3".
fn duplicate_yaml_key(message: &str) -> Option<String> {
    let (_, quoted) = message.split_once("duplicate entry with key ")?;
    let quoted = quoted.split(" at line ").next().unwrap_or(quoted);
    Some(serde_json::from_str(quoted).unwrap_or_else(|_| quoted.to_string()))
}

/// The first two lines where `key:` starts an entry of the block map at `map` (its first
/// key's line and column, as serde_norway reports it), plain or quoted.
fn yaml_key_lines(text: &str, key: &str, map: Option<(usize, usize)>) -> Vec<usize> {
    let Some((line, column)) = map else {
        return Vec::new();
    };
    let spellings = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .filter(|(_, text)| {
            let indent: String = text.chars().take(column.saturating_sub(1)).collect();
            let entry: String = text.chars().skip(column.saturating_sub(1)).collect();
            indent.chars().all(|c| c == ' ' || c == '-')
                && spellings.iter().any(|s| {
                    entry
                        .strip_prefix(s.as_str())
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
        })
        .map(|(i, _)| i + 1)
        .take(2)
        .collect()
}

/// `lines`: both entries' lines when known; else `map`, the line the map starts on.
fn duplicate_key(
    name: &str,
    key: &str,
    lines: Option<(usize, usize)>,
    map: Option<usize>,
) -> Problem {
    let at = match (lines, map) {
        (Some((first, second)), _) => format!(" (lines {first} and {second})"),
        (None, Some(map)) => format!(" (the map starting at line {map})"),
        (None, None) => String::new(),
    };
    file_problem(
        name,
        Some(key),
        format!("{key} is given twice in one map{at}; only one of them can count"),
        "keep one of them",
    )
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

pub fn file_problem(
    name: &str,
    key: Option<&str>,
    problem: String,
    fix: impl Into<String>,
) -> Problem {
    Problem {
        parameter: key.map_or_else(|| "--parameters-file".to_string(), str::to_string),
        value: None,
        source: Some(format!("file {name}")),
        problem,
        fix: fix.into(),
    }
}

pub fn unknown_key(name: &str, key: &str) -> Problem {
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
    closest(key, param_spellings())
}

/// Each parameter's key with the spellings a person may use for it: flag and variable.
pub fn param_spellings() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    Param::ALL.into_iter().map(|p| {
        (
            p.key(),
            vec![p.key(), p.flag(), p.env().trim_start_matches("FSX_DRT_")],
        )
    })
}

/// The candidate whose spellings come closest to `wanted`, compared ignoring case,
/// separators and an `FSX_DRT_` prefix; none when nothing is near.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
) -> Option<&'a str> {
    let squash = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = squash(wanted);
    let wanted = wanted.strip_prefix("fsxdrt").unwrap_or(&wanted);
    candidates
        .into_iter()
        .map(|(name, spellings)| {
            let score = spellings
                .iter()
                .map(|alias| strsim::jaro_winkler(wanted, &squash(alias)))
                .fold(0.0, f64::max);
            (name, score)
        })
        .filter(|(_, score)| *score >= 0.85)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(name: &str, text: &str) -> Vec<(&'static str, String)> {
        parse_file(name, text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(p, v)| (p.key(), v))
            .collect()
    }

    fn err(name: &str, text: &str) -> Vec<Problem> {
        parse_file(name, text.as_bytes()).unwrap_err()
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

    #[test]
    fn byte_order_marks_and_utf16_are_named() {
        let bom = b"\xEF\xBB\xBF{\"Paths\": \"/x\"}";
        assert_eq!(parse_file("p.json", bom).unwrap().len(), 1);
        assert_eq!(
            parse_file("p.yaml", b"\xEF\xBB\xBFPaths: /x\n")
                .unwrap()
                .len(),
            1
        );
        let utf16: Vec<u8> = "{\"Paths\": \"/x\"}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let with_bom = [&[0xFF, 0xFE][..], &utf16].concat();
        for bytes in [&utf16, &with_bom] {
            let problems = parse_file("p.json", bytes).unwrap_err();
            assert!(problems[0].problem.contains("UTF-16"), "{:?}", problems[0]);
            assert!(problems[0].fix.starts_with("save it as UTF-8"));
        }
        let latin1 = parse_file("p.yaml", b"Paths: /x\nEmailAddress: caf\xe9@x.com\n").unwrap_err();
        assert!(
            latin1[0]
                .problem
                .contains("byte 0xe9 at line 2 is not UTF-8"),
            "{:?}",
            latin1[0]
        );
    }

    #[test]
    fn deep_or_large_files_are_refused_before_parsing() {
        let started = std::time::Instant::now();
        for (name, text) in [
            ("p.yaml", "[".repeat(100_000)),
            ("p.yaml", "- ".repeat(100_000) + "x"),
            (
                "p.yaml",
                (0..40)
                    .map(|i| format!("{}a{i}:\n", "  ".repeat(i)))
                    .collect(),
            ),
            ("p.json", "[".repeat(100_000) + &"]".repeat(100_000)),
            ("p.json", "{\"a\":".repeat(50_000)),
        ] {
            let problems = err(name, &text);
            assert!(
                problems[0].problem.contains("nests more than 32"),
                "{:?}",
                problems[0]
            );
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Brackets in strings and comments do not count.
        let text = format!("Paths: \"{}\" # {}\n", "[".repeat(40), "{".repeat(40));
        assert_eq!(ok("p.yaml", &text).len(), 1);
        let big = format!("Paths: /x\n#{}\n", " ".repeat(MAX_FILE_BYTES as usize));
        assert!(err("p.yaml", &big)[0]
            .problem
            .contains("larger than 1024 KiB"));
    }

    #[test]
    fn a_key_given_twice_is_named_with_both_lines() {
        for (name, text, says) in [
            ("p.json", "{\n  \"Paths\": \"/a\",\n  \"Paths\": \"/b\"\n}", "Paths is given twice in one map (lines 2 and 3)"),
            ("p.json", "[{\"ParameterKey\": \"Paths\",\n  \"ParameterKey\": \"TaskType\", \"ParameterValue\": \"x\"}]", "ParameterKey is given twice in one map (lines 1 and 2)"),
            ("p.json", "{\"Paths\": \"/a\", \"Pa\\u0074hs\": \"/b\"}", "Paths is given twice in one map (lines 1 and 1)"),
            ("p.yaml", "Paths: /a\nSchedule: rate(1 hour)\nPaths: /b\n", "Paths is given twice in one map (lines 1 and 3)"),
            ("p.yaml", "Paths: /a\n'Paths': /b\n", "Paths is given twice in one map (lines 1 and 2)"),
            (
                "p.yaml",
                "- ParameterKey: Paths\n  ParameterValue: /a\n- ParameterKey: Schedule\n  ParameterKey: TaskType\n",
                "ParameterKey is given twice in one map (lines 3 and 4)",
            ),
            (
                "p.yaml",
                "Other:\n  Paths: x\nParams:\n  Paths: /a\n  \"Paths\" : /b\n",
                "Paths is given twice in one map (lines 4 and 5)",
            ),
            (
                "p.yaml",
                "Paths: /x\nTaskType: {a: 1, a: 2}\n",
                "a is given twice in one map (the map starting at line 2)",
            ),
        ] {
            let problems = err(name, text);
            assert!(problems[0].problem.starts_with(says), "{text}: {:?}", problems[0]);
        }
        // The same key in different maps is fine.
        let text = r#"[{"ParameterKey": "Paths", "ParameterValue": "/"}, {"ParameterKey": "TaskType", "ParameterValue": "Import"}]"#;
        assert_eq!(ok("p.json", text).len(), 2);
    }
}

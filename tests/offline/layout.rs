//! The shape of src/, held by a test so that it stays: SDK types only in src/aws/, clap only
//! in cli.rs and src/commands/ (and main.rs), no command module using another, and no file
//! over 500 lines of code (inline tests apart).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Each file of src/ (as `src/...`) with its code: the lines before its inline tests that
/// are neither blank nor comments.
fn code() -> Vec<(String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .take_while(|l| !l.starts_with("#[cfg(test)]"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("//"))
                .map(str::to_string)
                .collect();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            (name, lines)
        })
        .collect()
}

fn offenders(rule: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for (file, lines) in code() {
        for line in lines.iter().filter(|line| rule(&file, line)) {
            found.push(format!("{file}: {line}"));
        }
    }
    found
}

#[test]
fn sdk_types_and_calls_only_in_src_aws() {
    let found = offenders(|file, line| {
        !file.starts_with("src/aws/") && (line.contains("aws_sdk_") || line.contains("aws_smithy"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn clap_only_in_the_command_line_layer() {
    let found = offenders(|file, line| {
        let allowed =
            file == "src/cli.rs" || file == "src/main.rs" || file.starts_with("src/commands/");
        !allowed && (line.contains("clap") || line.contains("crate::cli"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_command_module_uses_another() {
    let found = offenders(|file, line| {
        file.starts_with("src/commands/")
            && file != "src/commands/mod.rs"
            && (line.contains("crate::commands") || line.contains("super::"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_file_over_500_lines_of_code() {
    let long: Vec<(String, usize)> = code()
        .into_iter()
        .map(|(file, lines)| (file, lines.len()))
        .filter(|(_, n)| *n > 500)
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

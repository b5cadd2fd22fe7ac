//! `cargo xtask lint-workflows`: the GitHub Actions workflows (the examples under docs/ and
//! .github/workflows/, if any) checked by jactionlint, a maintained fork of actionlint, with
//! shellcheck on every `run:` script. Both come from PyPI, pinned in
//! docs/github-actions/lint-requirements.txt, into target/venv-workflows.
//!
//! Every finding fails, infos included (`--strict-exit`), and nothing asks GitHub
//! (`--no-online`). First the linter must catch each mistake of a deliberately broken
//! workflow (xtask/testdata/broken-workflow.yml): a linter that checks nothing, or runs
//! without shellcheck, fails the step instead of passing every file.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use xshell::{cmd, Shell};

use crate::{root, step, target_dir};

/// Where workflow files are looked for, below the workspace root.
const FOLDERS: [&str; 2] = ["docs", ".github/workflows"];
const BROKEN: &str = "xtask/testdata/broken-workflow.yml";
/// The rule each mistake in [`BROKEN`] breaks.
const BROKEN_RULES: [&str; 4] = [
    "[undefined-job-needs]",
    "[unknown-action-input]",
    "[template-injection]",
    "[shellcheck]",
];

pub fn lint(sh: &Shell) -> Result<()> {
    let venv = target_dir().join("venv-workflows");
    let requirements = root().join("docs/github-actions/lint-requirements.txt");
    crate::venv::ensure(sh, &venv, &requirements, "jactionlint and shellcheck")?;
    let bin = venv.join("bin");
    let linter = bin.join("jactionlint");
    let shellcheck = format!("--shellcheck={}", bin.join("shellcheck").display());
    let flags = ["--no-online", "--strict-exit", "--no-color", &shellcheck];

    step(&format!("jactionlint catches every mistake of {BROKEN}"));
    let broken = cmd!(sh, "{linter} {flags...} {BROKEN}")
        .ignore_status()
        .output()?;
    let found = String::from_utf8_lossy(&broken.stdout);
    let missed = missed_rules(&found);
    ensure!(
        !broken.status.success() && missed.is_empty(),
        "jactionlint passed {BROKEN} without reporting {missed:?}; its output:\n{found}"
    );

    let files = workflow_files(&root())?;
    if files.is_empty() {
        bail!("no workflow file under {FOLDERS:?}: nothing to check");
    }
    let names: Vec<_> = files
        .iter()
        .map(|f| f.strip_prefix(root()).unwrap_or(f).display().to_string())
        .collect();
    step(&format!("jactionlint and shellcheck: {}", names.join(" ")));
    cmd!(sh, "{linter} {flags...} {files...}")
        .run()
        .context("a workflow has findings (above)")?;
    Ok(())
}

/// The rules of [`BROKEN_RULES`] the linter's output does not name.
fn missed_rules(output: &str) -> Vec<&'static str> {
    BROKEN_RULES
        .into_iter()
        .filter(|rule| !output.contains(rule))
        .collect()
}

/// Every `.yml` and `.yaml` file below [`FOLDERS`] of `root`, sorted.
fn workflow_files(root: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yml" | "yaml")
            ) {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    for folder in FOLDERS {
        walk(&root.join(folder), &mut found)?;
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_files_are_the_yaml_files_below_docs_and_github_workflows() {
        let dir = std::env::temp_dir().join(format!("xtask-workflows-{}", std::process::id()));
        let files = [
            "docs/github-actions/deploy.yml",
            "docs/github-actions/lint-requirements.txt",
            "docs/other/pipeline.yaml",
            ".github/workflows/ci.yaml",
            ".github/dependabot.yml",
            "examples/schedules.yaml",
        ];
        for file in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        let found = workflow_files(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let expected: Vec<PathBuf> = [
            ".github/workflows/ci.yaml",
            "docs/github-actions/deploy.yml",
            "docs/other/pipeline.yaml",
        ]
        .iter()
        .map(|f| dir.join(f))
        .collect();
        assert_eq!(found, expected);
        assert!(workflow_files(&dir).unwrap().is_empty());
    }

    #[test]
    fn a_rule_missing_from_the_output_is_named() {
        let all = BROKEN_RULES.join("\n");
        assert!(missed_rules(&all).is_empty());
        let without_shellcheck = all.replace("[shellcheck]", "");
        assert_eq!(missed_rules(&without_shellcheck), ["[shellcheck]"]);
        assert_eq!(missed_rules(""), BROKEN_RULES);
    }
}

//! `cargo xtask bench lambda`: the Rust Lambda against a Python reference, side by side.
//!
//! Builds the function's `bootstrap` for this machine (x86_64) with the size-tuned
//! `[profile.lambda]`, installs the Python side (bench/requirements.txt: the official Lambda
//! Runtime Interface Client and boto3) into target/venv-bench when a pinned version is missing,
//! then runs bench/lambda_bench.py. That script serves a local Lambda Runtime API and FSx
//! endpoint, measures cold start, one invocation, peak memory and zip sizes for both functions,
//! and prints a markdown section, which replaces the Lambda section of BENCHMARKS.md (the
//! file's other sections are kept).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use xshell::{cmd, Shell};

/// The heading of the section this task owns in BENCHMARKS.md.
const HEADING: &str = "## Lambda (`cargo xtask bench lambda`)";
/// Runs per side (the script needs at least 5); medians are reported.
const RUNS: &str = "11";
const PACKAGE: &str = "fsx-drt-lambda";
const BIN: &str = "bootstrap";
const PROFILE: &str = "lambda";

/// `cargo xtask bench lambda`: measures, then rewrites the Lambda section of BENCHMARKS.md.
pub fn lambda(sh: &Shell, root: &Path) -> Result<()> {
    let target_dir = target_dir(root);
    let venv = ensure_venv(sh, root, &target_dir)?;
    let bootstrap = build_bootstrap(sh, &target_dir)?;

    step("python3 bench/lambda_bench.py (both functions against the same local endpoints)");
    let script = root.join("bench/lambda_bench.py");
    let raw = target_dir.join("bench/lambda.json");
    fs::create_dir_all(target_dir.join("bench"))
        .with_context(|| format!("creating {}", target_dir.join("bench").display()))?;
    let section = cmd!(
        sh,
        "python3 {script} --rust {bootstrap} --python-venv {venv} --target {target_dir} --runs {RUNS} --json {raw}"
    )
    .read()
    .context("the Lambda benchmark failed")?;
    ensure!(
        section.starts_with(HEADING),
        "bench/lambda_bench.py printed no `{HEADING}` section"
    );

    let path = root.join("BENCHMARKS.md");
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let updated = replace_section(existing.as_deref(), HEADING, &section);
    fs::write(&path, updated).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("\nwrote the Lambda section of {}", path.display());
    eprintln!("raw measurements: {}", raw.display());
    println!("{section}");
    Ok(())
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// `CARGO_TARGET_DIR` when set (as cargo reads it, relative to the workspace), else target/.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// Creates target/venv-bench and installs bench/requirements.txt into it when a pinned version
/// is missing (a rerun needs no network). Returns the venv's path.
fn ensure_venv(sh: &Shell, root: &Path, target_dir: &Path) -> Result<PathBuf> {
    let venv = target_dir.join("venv-bench");
    crate::venv::ensure(
        sh,
        &venv,
        &root.join("bench/requirements.txt"),
        "awslambdaric and boto3",
    )?;
    Ok(venv)
}

/// Builds `bootstrap` for the host with `[profile.lambda]` and returns its path.
///
/// The host triple is passed explicitly: without `--target` the binary would land in
/// target/lambda/bootstrap, where `cargo xtask lambda` (`--lambda-dir target/lambda`) keeps a
/// directory of that name, and cargo fails with "Is a directory".
fn build_bootstrap(sh: &Shell, target_dir: &Path) -> Result<PathBuf> {
    let host = host_triple(sh)?;
    step(&format!(
        "cargo build --profile {PROFILE} -p {PACKAGE} --bin {BIN} --target {host}"
    ));
    cmd!(
        sh,
        "cargo build --profile {PROFILE} -p {PACKAGE} --bin {BIN} --locked --target {host}"
    )
    .run()
    .context("building the host bootstrap failed")?;
    let bootstrap = target_dir.join(&host).join(PROFILE).join(BIN);
    ensure!(
        bootstrap.is_file(),
        "cargo build did not leave {}",
        bootstrap.display()
    );
    Ok(bootstrap)
}

fn host_triple(sh: &Shell) -> Result<String> {
    let version = cmd!(sh, "rustc -vV")
        .quiet()
        .read()
        .context("running rustc -vV")?;
    match version.lines().find_map(|line| line.strip_prefix("host: ")) {
        Some(host) => Ok(host.trim().to_string()),
        None => bail!("rustc -vV names no host triple:\n{version}"),
    }
}

/// The document with the section under `heading` (up to the next `## ` heading or the end)
/// replaced by `section`, or `section` appended when there is none. Without a document, a new
/// one with a title.
fn replace_section(existing: Option<&str>, heading: &str, section: &str) -> String {
    let section = format!("{}\n", section.trim_end());
    let Some(text) = existing else {
        return format!(
            "# Benchmarks\n\nMeasured on the machine named in each section; rerun the task named \
             in a section's heading to refresh it.\n\n{section}"
        );
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == heading) else {
        let mut out = text.trim_end().to_string();
        out.push_str("\n\n");
        out.push_str(&section);
        return out;
    };
    let mut in_fence = false;
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with("## ") {
            end = i;
            break;
        }
    }
    let mut out: String = lines[..start].concat();
    out.push_str(&section);
    if end < lines.len() {
        out.push('\n');
        out.push_str(&lines[end..].concat());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replace_section;

    const H: &str = "## Lambda (`cargo xtask bench lambda`)";

    #[test]
    fn a_new_document_gets_a_title_and_the_section() {
        let out = replace_section(None, H, &format!("{H}\n\nnew\n\n"));
        assert!(out.starts_with("# Benchmarks\n"));
        assert!(out.ends_with(&format!("{H}\n\nnew\n")));
    }

    #[test]
    fn the_section_is_replaced_and_the_others_kept() {
        let doc = format!("# Benchmarks\n\n## CLI\n\ncli\n\n{H}\n\nold\n```\n## not a heading\n```\n\n## Later\n\nlater\n");
        let out = replace_section(Some(&doc), H, &format!("{H}\n\nnew"));
        assert_eq!(
            out,
            format!("# Benchmarks\n\n## CLI\n\ncli\n\n{H}\n\nnew\n\n## Later\n\nlater\n")
        );
    }

    #[test]
    fn a_missing_section_is_appended() {
        let out = replace_section(Some("# Benchmarks\n\n## CLI\n\ncli\n"), H, H);
        assert_eq!(out, format!("# Benchmarks\n\n## CLI\n\ncli\n\n{H}\n"));
    }

    #[test]
    fn the_last_section_is_replaced_to_the_end() {
        let doc = format!("# Benchmarks\n\n{H}\n\nold\nmore old\n");
        let out = replace_section(Some(&doc), H, &format!("{H}\n\nnew\n"));
        assert_eq!(out, format!("# Benchmarks\n\n{H}\n\nnew\n"));
    }
}

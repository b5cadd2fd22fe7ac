//! Build automation: `cargo xtask <task>` (aliased in .cargo/config.toml).
//!
//! - `ci`: everything CI checks: formatting, clippy, the template linters, the workflow
//!   linter, the Lambda artifact (built, and run under qemu), every test.
//! - `demo`: the main job on sample parameters, printed step by step.
//! - `lint-template`: cfn-lint and checkov on the template `fsx-drt template` prints.
//! - `lint-workflows`: jactionlint and shellcheck on the example workflows. See workflows.rs.
//! - `lambda`: the Lambda's deployment zip (arm64, provided.al2023); prints its absolute path
//!   as the last line of stdout. See lambda.rs.
//! - `install`: `cargo install` of fsx-drt with that zip embedded (FSX_DRT_LAMBDA_ZIP).
//! - `emulator [--detach|--stop]`: the local AWS emulator (moto + emulator/fsx_drt/).
//! - `bench [lambda|cli|fleet|cost|alarm]`: the Lambda against the reference's Python
//!   handler, the CLI against the AWS CLI, a fleet's deploy against deploys in a row, what
//!   issue 13's extra invocations cost, a task's end to its alarm message on the emulator (all
//!   without an argument); writes BENCHMARKS.md. See bench.rs.

mod bench;
mod dist;
mod lambda;
mod venv;
mod workflows;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sh = Shell::new()?;
    sh.change_dir(root());
    match args.first().map(String::as_str) {
        Some("ci") => ci(&sh),
        Some("demo") => demo(&sh),
        Some("lint-template") => lint_template(&sh),
        Some("lint-workflows") => workflows::lint(&sh),
        Some("lambda") => {
            let zip = lambda::build_lambda(&sh)?;
            println!("{}", zip.display());
            Ok(())
        }
        Some("install") => install(&sh),
        Some("dist") => dist::dist(&sh),
        Some("emulator") => {
            // The local AWS: moto with the project's FSx extension (emulator/README.md).
            let rest = &args[1..];
            cmd!(sh, "bash emulator/setup.sh {rest...}").run()?;
            Ok(())
        }
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("lambda") => bench::lambda(&sh, &root()),
            Some("cli") => bench::cli(&sh, &root()),
            Some("cost") => bench::cost(&sh, &root()),
            Some("alarm") => bench::alarm(&sh, &root()),
            Some("fleet") => bench::fleet(&sh, &root()),
            None => bench::all(&sh, &root()),
            _ => bail!("usage: cargo xtask bench [lambda|cli|fleet|cost|alarm]"),
        },
        _ => {
            eprintln!("usage: cargo xtask <ci|demo|lint-template|lint-workflows|lambda|install|dist|emulator [--detach|--stop]|bench [lambda|cli|fleet|cost|alarm]>");
            bail!("unknown or missing task {:?}", args.first())
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// `CARGO_TARGET_DIR` when set (as cargo reads it, relative to the workspace), else target/.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

fn ci(sh: &Shell) -> Result<()> {
    step("cargo fmt --check");
    cmd!(sh, "cargo fmt --all --check").run()?;
    step("cargo clippy -D warnings");
    cmd!(
        sh,
        "cargo clippy --workspace --all-targets --locked -- -D warnings"
    )
    .run()?;
    lint_template(sh)?;
    workflows::lint(sh)?;
    let zip = lambda::build_lambda(sh)?;
    lambda::test_arm64(sh, &zip)?;
    step("the emulator's FSx extension (emulator/test_emulator.py)");
    cmd!(sh, "bash emulator/setup.sh")
        .env("FSX_DRT_EMULATOR_SETUP_ONLY", "1")
        .run()?;
    cmd!(
        sh,
        "target/venv-emulator/bin/python emulator/test_emulator.py"
    )
    .run()?;
    step("tests");
    if cmd!(sh, "cargo nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok()
    {
        cmd!(sh, "cargo nextest run --workspace --locked --no-fail-fast").run()?;
    } else {
        cmd!(sh, "cargo test --workspace --locked --no-fail-fast").run()?;
    }
    Ok(())
}

/// Builds the Lambda zip, then installs fsx-drt with it embedded (the CLI's build script reads
/// FSX_DRT_LAMBDA_ZIP).
fn install(sh: &Shell) -> Result<()> {
    let zip = lambda::build_lambda(sh)?;
    step(&format!(
        "cargo install --path . --locked --force  (FSX_DRT_LAMBDA_ZIP={})",
        zip.display()
    ));
    cmd!(sh, "cargo install --path . --locked --force")
        .env("FSX_DRT_LAMBDA_ZIP", &zip)
        .run()
        .context("cargo install failed")?;
    Ok(())
}

fn lint_template(sh: &Shell) -> Result<()> {
    step("render the template (fsx-drt template)");
    let template = cmd!(sh, "cargo run --quiet --locked -- template").read()?;
    let rendered = root().join("target/fsx-drt.template.yaml");
    sh.write_file(&rendered, template + "\n")?;
    step("cfn-lint and checkov (templates/lint.sh)");
    cmd!(sh, "bash templates/lint.sh {rendered}")
        .run()
        .context("the template has lint findings")?;
    // The template deploy renders for a definition of ten schedules (one resource each).
    let definition = "tests/data/definitions/ten-schedules.yaml";
    step(&format!(
        "render and lint the template for {definition} (fsx-drt template --parameters-file)"
    ));
    let ten = cmd!(
        sh,
        "cargo run --quiet --locked -- template --parameters-file {definition}"
    )
    .read()?;
    let ten_file = root().join("target/fsx-drt.ten-schedules.json");
    sh.write_file(&ten_file, ten + "\n")?;
    cmd!(sh, "bash templates/lint.sh {ten_file}")
        .run()
        .context("the ten-schedule template has lint findings")?;
    Ok(())
}

/// The emulator started with `--detach`, stopped when dropped (even when a step fails).
struct Emulator<'a> {
    sh: &'a Shell,
    endpoint: String,
    file_system_id: String,
}

impl<'a> Emulator<'a> {
    fn start(sh: &'a Shell) -> Result<Self> {
        let lines = cmd!(sh, "bash emulator/setup.sh --detach").read()?;
        let value = |name: &str| {
            lines
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
                .with_context(|| format!("the emulator printed no {name}"))
        };
        Ok(Emulator {
            sh,
            endpoint: value("AWS_ENDPOINT_URL")?,
            file_system_id: value("FILE_SYSTEM_ID")?,
        })
    }
}

impl Drop for Emulator<'_> {
    fn drop(&mut self) {
        let _ = cmd!(self.sh, "bash emulator/setup.sh --stop").run();
    }
}

/// Waits (up to 10 s) until the stack's file system's task has ended.
fn wait_until_ended(sh: &Shell, bin: &std::path::Path, stack: &str, task: &str) -> Result<()> {
    for _ in 0..40 {
        for lifecycle in ["SUCCEEDED", "FAILED", "CANCELED"] {
            let list = cmd!(
                sh,
                "{bin} tasks --stack-name {stack} --lifecycle {lifecycle} --output json"
            )
            .quiet()
            .read()?;
            if list.contains(task) {
                return Ok(());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    bail!("task {task} did not end")
}

/// The first `"key": "value"` string in a command's JSON output (pretty or compact).
fn json_string(json: &str, key: &str) -> Result<String> {
    let after = json
        .split_once(&format!("\"{key}\":"))
        .with_context(|| format!("no {key} in {json}"))?
        .1
        .trim_start();
    let value = after
        .strip_prefix('"')
        .and_then(|v| v.split_once('"'))
        .with_context(|| format!("{key} is not a string in {json}"))?
        .0;
    Ok(value.to_string())
}

fn demo(sh: &Shell) -> Result<()> {
    step("build the Lambda artifact (cargo xtask lambda) and fsx-drt with it built in");
    let zip = lambda::build_lambda(sh)?;
    cmd!(
        sh,
        "cargo build --quiet --locked --bin fsx-drt --example scheduler"
    )
    .env("FSX_DRT_LAMBDA_ZIP", &zip)
    .run()?;
    let bin = target_dir().join("debug/fsx-drt");
    // EventBridge Scheduler played on the emulator (whose Scheduler never fires).
    let scheduler = target_dir().join("debug/examples/scheduler");
    let params = "examples/parameters.json";

    step("fsx-drt artifact  (the zip deploy uploads, keyed by its sha256)");
    cmd!(sh, "{bin} artifact").run()?;

    step(&format!(
        "fsx-drt validate --parameters-file {params}  (the reference's parameters.json, unchanged)"
    ));
    cmd!(sh, "{bin} validate --no-input --parameters-file {params}").run()?;

    step("fsx-drt validate ... --output json  (the same, for programs)");
    cmd!(
        sh,
        "{bin} validate --no-input --parameters-file {params} --output json"
    )
    .run()?;

    let expression = "cron(0 12 LW * ? *)";
    step(&format!(
        "fsx-drt schedule '{expression}' --count 3  (last weekday of each month, noon UTC)"
    ));
    cmd!(sh, "{bin} schedule {expression} --count 3").run()?;

    step("fsx-drt validate with bad input: every problem at once, exit code 2, nothing touched");
    let (fs, schedule, paths) = ("fs-XYZ", "0 8 * * MON *", "/data \"/open");
    let bad = cmd!(
        sh,
        "{bin} validate --no-input --parameters-file {params} --file-system-id {fs} --schedule {schedule} --paths {paths}"
    )
    .ignore_status()
    .output()?;
    eprint!("{}", String::from_utf8_lossy(&bad.stderr));
    if bad.status.code() != Some(2) {
        bail!(
            "expected exit code 2 for invalid input, got {:?}",
            bad.status.code()
        );
    }
    eprintln!("(exit code 2, as expected)");

    step("fsx-drt template  (first lines of the CloudFormation template deploy uses)");
    let template = cmd!(sh, "{bin} template").read()?;
    for line in template.lines().take(6) {
        println!("{line}");
    }
    println!("... ({} lines)", template.lines().count());

    step("start the local AWS emulator (cargo xtask emulator --detach)");
    let emulator = Emulator::start(sh)?;
    let _env = [
        sh.push_env("AWS_ENDPOINT_URL", &emulator.endpoint),
        sh.push_env("AWS_REGION", "us-east-1"),
        sh.push_env("AWS_ACCESS_KEY_ID", "testing"),
        sh.push_env("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let fs = emulator.file_system_id.as_str();
    let stack = "fsx-drt-demo";
    // The reference's parameters.json, with the emulator's file system and its data path
    // given as flags (flags win over the file).
    let overrides = ["--file-system-id", fs, "--paths", "/data"];

    step("fsx-drt plan  (the request each run sends, from the file system's data repositories)");
    cmd!(
        sh,
        "{bin} plan --no-input --parameters-file {params} {overrides...}"
    )
    .run()?;

    step(&format!("fsx-drt deploy --stack-name {stack} --yes"));
    cmd!(
        sh,
        "{bin} deploy --no-input --yes --stack-name {stack} --parameters-file {params} {overrides...}"
    )
    .run()?;

    step(&format!("fsx-drt status --stack-name {stack}"));
    cmd!(sh, "{bin} status --stack-name {stack}").run()?;

    step(&format!(
        "fsx-drt run --stack-name {stack} --direct --wait  (the function's code, run from here: the emulator's Lambda runs none)"
    ));
    cmd!(sh, "{bin} run --stack-name {stack} --direct --wait").run()?;

    step(&format!("fsx-drt tasks --stack-name {stack}"));
    cmd!(sh, "{bin} tasks --stack-name {stack}").run()?;

    step("fsx-drt deploy again, unchanged: nothing to do is success (exit 0)");
    cmd!(sh, "{bin} deploy --no-input --yes --stack-name {stack}").run()?;

    step(&format!("fsx-drt destroy --stack-name {stack} --yes"));
    cmd!(sh, "{bin} destroy --yes --stack-name {stack}").run()?;

    // Several schedules in local time: examples/schedules.yaml, on the emulator's file system
    // and its data path.
    let definition = target_dir().join("demo-schedules.yaml");
    let example = sh.read_file("examples/schedules.yaml")?;
    sh.write_file(
        &definition,
        example
            .replace("fs-0123456789abcdef0", fs)
            .replace("/projects", "/data")
            .replace("/scratch/run 1", "/data/run 1"),
    )?;
    let three = "fsx-drt-schedules";
    step(&format!(
        "fsx-drt deploy --stack-name {three} --parameters-file examples/schedules.yaml  (three schedules in Europe/Berlin)"
    ));
    cmd!(
        sh,
        "{bin} deploy --no-input --yes --stack-name {three} --parameters-file {definition}"
    )
    .run()?;
    step(&format!(
        "fsx-drt status --stack-name {three}  (each schedule's next runs in its zone)"
    ));
    cmd!(sh, "{bin} status --stack-name {three}").run()?;
    step("fsx-drt pause --schedule weekly-release  (a deploy of the stack's own schedules)");
    cmd!(
        sh,
        "{bin} pause --yes --stack-name {three} --schedule weekly-release"
    )
    .run()?;
    step("fsx-drt run --schedule nightly-export --direct  (one schedule's task, now)");
    let run = cmd!(
        sh,
        "{bin} run --stack-name {three} --schedule nightly-export --direct --output json"
    )
    .read()?;
    let busy = json_string(&run, "TaskId")?;
    println!("task {busy} created");
    step("morning-import fires while it runs (Scheduler played here: examples/scheduler.rs): the file system is busy, the slot is deferred");
    cmd!(sh, "{scheduler} {three} fire morning-import").run()?;
    step(&format!(
        "fsx-drt status --stack-name {three}  (each schedule's next runs in its zone, and the deferred run)"
    ));
    cmd!(sh, "{bin} status --stack-name {three}").run()?;
    step(&format!(
        "fsx-drt tasks --stack-name {three}  (the deferred slot: no task yet)"
    ));
    cmd!(sh, "{bin} tasks --stack-name {three} --limit 3").run()?;
    step(&format!(
        "fsx-drt tasks cancel {busy}, then the one-time schedule fires: the slot's one task"
    ));
    // Exit 1 if it has just ended by itself: either way the file system is free soon.
    cmd!(sh, "{bin} tasks cancel {busy}")
        .ignore_status()
        .run()?;
    wait_until_ended(sh, &bin, three, &busy)?;
    let fired = cmd!(sh, "{scheduler} {three} due").read()?;
    println!("{fired}");
    cmd!(sh, "{bin} tasks --stack-name {three} --limit 2").run()?;
    wait_until_ended(sh, &bin, three, &json_string(&fired, "TaskId")?)?;
    step(&format!("fsx-drt destroy --stack-name {three} --yes"));
    cmd!(sh, "{bin} destroy --yes --stack-name {three}").run()?;

    // A failure report: the emulator fails 3 files of a path containing "partial-3".
    // (Last: status would call the file system's latest task, this one, unhealthy.)
    step("a run whose files partly fail: --paths /data/partial-3, run --direct --wait (exit 1)");
    cmd!(
        sh,
        "{bin} deploy --no-input --yes --stack-name {stack} --parameters-file {params} --file-system-id {fs} --paths /data/partial-3"
    )
    .quiet()
    .ignore_stdout()
    .ignore_stderr()
    .run()?;
    let run = cmd!(
        sh,
        "{bin} run --stack-name {stack} --direct --wait --output json"
    )
    .ignore_status()
    .read()?;
    let failed = json_string(&run, "TaskId")?;
    println!("task {failed}: {}", json_string(&run, "lifecycle")?);
    step(&format!(
        "fsx-drt tasks report {failed} --stack-name {stack}  (its completion report, read for you)"
    ));
    cmd!(sh, "{bin} tasks report {failed} --stack-name {stack}").run()?;

    cmd!(sh, "{bin} destroy --yes --stack-name {stack}")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()?;

    step("stop the emulator");
    drop(emulator);
    step("demo finished: every step succeeded");
    Ok(())
}

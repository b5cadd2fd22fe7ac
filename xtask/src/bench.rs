//! `cargo xtask bench [lambda|cli|fleet|cost|alarm]`: fsx-drt against its peers, side by side,
//! what issue 13's extra invocations cost, and a task's end to its alarm message; without an
//! argument all of them, the Lambda first. Each rewrites its own section of BENCHMARKS.md (the
//! file's other sections are kept).
//!
//! `lambda`: the Rust Lambda against a Python reference. Builds the function's `bootstrap` for
//! this machine (x86_64) with the size-tuned `[profile.lambda]`, installs the Python side
//! (bench/requirements.txt: the official Lambda Runtime Interface Client and boto3) into
//! target/venv-bench when a pinned version is missing, then runs bench/lambda_bench.py. That
//! script serves a local Lambda Runtime API and FSx endpoint, measures cold start, one
//! invocation, peak memory and zip sizes for both functions, and prints the markdown section.
//!
//! `cli`: the fsx-drt CLI against the AWS CLI. Builds `target/release/fsx-drt` (and the Lambda
//! zip when missing), installs the AWS CLI (bench/awscli-requirements.txt) into
//! target/venv-awscli, then runs bench/cli_bench.py in phases: start-up and validate; fresh
//! deploy, no-op redeploy and destroy on the local emulator; completion latency on a second
//! emulator started with FSX_DRT_EMULATOR_STACK_DELAY. The emulators keep their state and logs
//! in target/bench/ and are stopped at the end, also when a phase fails.
//!
//! `alarm`: on an emulator whose tasks take 150 s, bench/alarm_bench.py makes tasks that end
//! with failed files and runs examples/follow_up_checks.rs, the function's checks at the
//! function's times, then times each task's end to its message on the alarm topic.
//!
//! `fleet`: `deploy --fleet` of 10 members at `--concurrency 4` against the same 10 stacks
//! deployed one `fsx-drt deploy` after another, on an emulator (state in target/bench/) whose
//! stack operations take 20 s; bench/fleet_bench.py sets the delay, runs both sides (with a
//! `destroy --fleet` after each) and reports wall times, ratio, requests and throttling.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use xshell::{cmd, Shell};

/// The heading of the section `bench lambda` owns in BENCHMARKS.md.
const HEADING: &str = "## Lambda (`cargo xtask bench lambda`)";
/// Runs per side (the script needs at least 5); medians are reported.
const RUNS: &str = "11";
const PACKAGE: &str = "fsx-drt-core";
const BIN: &str = "bootstrap";
const PROFILE: &str = "lambda";

/// The heading of the section `bench cli` owns.
const CLI_HEADING: &str = "## CLI against the AWS CLI (`cargo xtask bench cli`)";
/// `bench cli`: runs per side for start-up, validate, the emulator commands and completion
/// latency (each a median of at least 5, 20 for validate; a latency run takes up to 30 s).
const CLI_STARTUP_RUNS: &str = "21";
const CLI_VALIDATE_RUNS: &str = "31";
const CLI_EMULATOR_RUNS: &str = "7";
const CLI_LATENCY_RUNS: &str = "5";

/// `cargo xtask bench lambda`: measures, then rewrites the Lambda section of BENCHMARKS.md.
pub fn lambda(sh: &Shell, root: &Path) -> Result<()> {
    let target_dir = crate::target_dir();
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

    write_section(root, HEADING, &section)?;
    eprintln!("raw measurements: {}", raw.display());
    println!("{section}");
    Ok(())
}

/// `cargo xtask bench`: every section in one run, the Lambda first.
pub fn all(sh: &Shell, root: &Path) -> Result<()> {
    lambda(sh, root)?;
    cli(sh, root)?;
    fleet(sh, root)?;
    cost(sh, root)?;
    alarm(sh, root)
}

/// The heading of the section `bench alarm` owns.
const ALARM_HEADING: &str = "## A task's end to the alarm message (`cargo xtask bench alarm`)";
/// `bench alarm`: tasks followed at once (each on a file system of its own), how long each
/// runs on the emulator, and the cap of the checks (the default FollowUpCapMinutes).
const ALARM_RUNS: &str = "10";
const ALARM_TASK_SECONDS: &str = "150";
/// fsx_drt_core::followup::DEFAULT_CAP_MINUTES (xtask does not link the core).
const ALARM_CAP_MINUTES: &str = "5";

/// `cargo xtask bench alarm`: on an emulator of its own, tasks that end with failed files,
/// followed by the function's checks at the function's times until each is reported; the
/// time from each task's end to its alarm message (about 7 minutes).
pub fn alarm(sh: &Shell, root: &Path) -> Result<()> {
    let target_dir = crate::target_dir();
    step("cargo build --example follow_up_checks (the function's checks, on the emulator)");
    cmd!(sh, "cargo build --locked --example follow_up_checks")
        .run()
        .context("building the follow_up_checks example failed")?;
    let checks = target_dir.join("debug/examples/follow_up_checks");
    ensure!(
        checks.is_file(),
        "cargo build did not leave {}",
        checks.display()
    );
    let work = target_dir.join("bench");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let raw = work.join("alarm.json");
    let _state = [
        sh.push_env("FSX_DRT_EMULATOR_PID_FILE", work.join("emulator.pid")),
        sh.push_env("FSX_DRT_EMULATOR_ENV_FILE", work.join("emulator.env")),
        sh.push_env("FSX_DRT_EMULATOR_LOG", work.join("emulator.log")),
        sh.push_env(
            "FSX_DRT_EMULATOR_REQUEST_LOG",
            work.join("emulator-requests.log"),
        ),
        sh.push_env("FSX_DRT_EMULATOR_TASK_SECONDS", ALARM_TASK_SECONDS),
    ];
    let section = {
        step("start an emulator whose tasks take a while (FSX_DRT_EMULATOR_TASK_SECONDS)");
        let _ = cmd!(sh, "bash emulator/setup.sh --stop").quiet().run();
        let emulator = crate::Emulator::start(sh)?;
        let endpoint = emulator.endpoint.clone();
        // boto3 from the emulator's own venv, which setup.sh made.
        let python = target_dir.join("venv-emulator/bin/python");
        let script = root.join("bench/alarm_bench.py");
        step("python bench/alarm_bench.py  (tasks, checks at the function's times, messages)");
        let section = cmd!(
            sh,
            "{python} {script} --endpoint {endpoint} --checks {checks} --runs {ALARM_RUNS} --cap {ALARM_CAP_MINUTES} --task-seconds {ALARM_TASK_SECONDS} --json {raw}"
        )
        .read()
        .context("the alarm benchmark failed")?;
        step("stop the emulator");
        section
    };
    ensure!(
        section.starts_with(ALARM_HEADING),
        "bench/alarm_bench.py printed no `{ALARM_HEADING}` section"
    );
    write_section(root, ALARM_HEADING, &section)?;
    eprintln!("raw measurements: {}", raw.display());
    println!("{section}");
    Ok(())
}

/// The heading of the section `bench cost` owns.
const COST_HEADING: &str = "## Extra invocations and their cost (`cargo xtask bench cost`)";

/// `cargo xtask bench cost`: what follow-up checks and deferred tries add a month for the
/// example definition, from the published prices (computed by bench/cost.py, not measured).
pub fn cost(sh: &Shell, root: &Path) -> Result<()> {
    step("python3 bench/cost.py (examples/schedules.yaml at published prices)");
    let script = root.join("bench/cost.py");
    let section = cmd!(sh, "python3 {script}")
        .read()
        .context("bench/cost.py failed")?;
    ensure!(
        section.starts_with(COST_HEADING),
        "bench/cost.py printed no `{COST_HEADING}` section"
    );
    write_section(root, COST_HEADING, &section)?;
    println!("{section}");
    Ok(())
}

/// `cargo xtask bench cli`: measures, then rewrites the CLI section of BENCHMARKS.md.
pub fn cli(sh: &Shell, root: &Path) -> Result<()> {
    let target_dir = crate::target_dir();
    let venv = target_dir.join("venv-awscli");
    crate::venv::ensure(
        sh,
        &venv,
        &root.join("bench/awscli-requirements.txt"),
        "the AWS CLI",
    )?;
    let aws = venv.join("bin/aws");
    let (fsx_drt, zip) = release_build(sh, &target_dir)?;

    let script = root.join("bench/cli_bench.py");
    let work = target_dir.join("bench");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let json = |phase: &str| work.join(format!("cli-{phase}.json"));
    let (local, emulated, latency) = (json("local"), json("emulator"), json("latency"));

    step("python3 bench/cli_bench.py local  (start-up; validate with 32 paths)");
    cmd!(
        sh,
        "python3 {script} local --fsx-drt {fsx_drt} --aws {aws} --work {work} --runs {CLI_STARTUP_RUNS} --validate-runs {CLI_VALIDATE_RUNS} --json {local}"
    )
    .run()
    .context("the start-up benchmark failed")?;

    let (env_file, server_log, request_log) = emulator_files(&work);
    let _state = emulator_state(sh, &work);
    let emulator_args: [&std::ffi::OsStr; 6] = [
        "--lambda-zip".as_ref(),
        zip.as_os_str(),
        "--env-file".as_ref(),
        env_file.as_os_str(),
        "--request-log".as_ref(),
        request_log.as_os_str(),
    ];
    {
        step("start the emulator (emulator/setup.sh --detach, state in target/bench/)");
        let _ = cmd!(sh, "bash emulator/setup.sh --stop").quiet().run();
        let _emulator = crate::Emulator::start(sh)?;
        step("python3 bench/cli_bench.py emulator  (deploy, no-op redeploy, destroy)");
        cmd!(
            sh,
            "python3 {script} emulator --fsx-drt {fsx_drt} --aws {aws} --work {work} --runs {CLI_EMULATOR_RUNS} {emulator_args...} --json {emulated}"
        )
        .run()
        .context("the emulator benchmark failed")?;
        step("stop the emulator");
    }
    {
        step("start an emulator whose stack operations take time (FSX_DRT_EMULATOR_STACK_DELAY)");
        let _ = fs::remove_file(&server_log);
        let _delay = sh.push_env("FSX_DRT_EMULATOR_STACK_DELAY", "1");
        let _emulator = crate::Emulator::start(sh)?;
        step("python3 bench/cli_bench.py latency  (completion latency; about 10 minutes)");
        cmd!(
            sh,
            "python3 {script} latency --fsx-drt {fsx_drt} --aws {aws} --work {work} --runs {CLI_LATENCY_RUNS} {emulator_args...} --server-log {server_log} --json {latency}"
        )
        .run()
        .context("the completion-latency benchmark failed")?;
        step("stop the emulator");
    }

    let section = cmd!(
        sh,
        "python3 {script} report --local {local} --emulator {emulated} --latency {latency}"
    )
    .read()
    .context("writing the CLI report failed")?;
    ensure!(
        section.starts_with(CLI_HEADING),
        "bench/cli_bench.py printed no `{CLI_HEADING}` section"
    );
    write_section(root, CLI_HEADING, &section)?;
    eprintln!(
        "raw measurements: {}, {}, {}",
        local.display(),
        emulated.display(),
        latency.display()
    );
    println!("{section}");
    Ok(())
}

/// `cargo xtask bench fleet`: a 10-member fleet's deploy (`--concurrency 4`) against 10
/// `fsx-drt deploy` runs in a row, on an emulator whose stack operations take 20 s; rewrites
/// the fleet section of BENCHMARKS.md.
pub fn fleet(sh: &Shell, root: &Path) -> Result<()> {
    let target_dir = crate::target_dir();
    let (fsx_drt, zip) = release_build(sh, &target_dir)?;
    let script = root.join("bench/fleet_bench.py");
    let work = target_dir.join("bench");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let raw = work.join("fleet.json");
    let (env_file, server_log, request_log) = emulator_files(&work);
    let _state = emulator_state(sh, &work);
    let section = {
        step("start the emulator (emulator/setup.sh --detach, state in target/bench/)");
        let _ = cmd!(sh, "bash emulator/setup.sh --stop").quiet().run();
        let _ = fs::remove_file(&server_log);
        let _emulator = crate::Emulator::start(sh)?;
        step(
            "python3 bench/fleet_bench.py  (10 deploys in a row, then the fleet; about 8 minutes)",
        );
        cmd!(
            sh,
            "python3 {script} --fsx-drt {fsx_drt} --lambda-zip {zip} --env-file {env_file} --request-log {request_log} --server-log {server_log} --work {work} --json {raw} --members {FLEET_MEMBERS} --concurrency {FLEET_CONCURRENCY} --delay {FLEET_STACK_DELAY}"
        )
        .read()
        .context("the fleet benchmark failed")?
    };
    ensure!(
        section.starts_with(FLEET_HEADING),
        "bench/fleet_bench.py printed no `{FLEET_HEADING}` section"
    );
    write_section(root, FLEET_HEADING, &section)?;
    eprintln!("raw measurements: {}", raw.display());
    println!("{section}");
    Ok(())
}

/// The heading of the section `bench fleet` owns.
const FLEET_HEADING: &str = "## A fleet against sequential deploys (`cargo xtask bench fleet`)";
/// `bench fleet`: members, members at once, and how long each stack operation takes (s).
const FLEET_MEMBERS: &str = "10";
const FLEET_CONCURRENCY: &str = "4";
const FLEET_STACK_DELAY: &str = "20";

/// `target/release/fsx-drt` built, and the Lambda zip (built when missing).
fn release_build(sh: &Shell, target_dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let mut zip = target_dir.join("lambda/fsx-drt-lambda.zip");
    if !zip.is_file() {
        zip = crate::lambda::build_lambda(sh)?;
    }
    step("cargo build --release --bin fsx-drt");
    cmd!(sh, "cargo build --release --locked --bin fsx-drt")
        .run()
        .context("building fsx-drt failed")?;
    let fsx_drt = target_dir.join("release/fsx-drt");
    ensure!(
        fsx_drt.is_file(),
        "cargo build did not leave {}",
        fsx_drt.display()
    );
    Ok((fsx_drt, zip))
}

/// The benchmark emulators' env file, server log and request log, in `work` (target/bench/).
fn emulator_files(work: &Path) -> (PathBuf, PathBuf, PathBuf) {
    (
        work.join("emulator.env"),
        work.join("emulator.log"),
        work.join("emulator-requests.log"),
    )
}

/// The emulators' pid, env, server log and request log live in target/bench/, so that one
/// someone else started (cargo xtask demo, emulator --detach) is neither reused nor stopped.
fn emulator_state<'a>(sh: &'a Shell, work: &Path) -> [xshell::PushEnv<'a>; 4] {
    let (env_file, server_log, request_log) = emulator_files(work);
    [
        sh.push_env("FSX_DRT_EMULATOR_PID_FILE", work.join("emulator.pid")),
        sh.push_env("FSX_DRT_EMULATOR_ENV_FILE", env_file),
        sh.push_env("FSX_DRT_EMULATOR_LOG", server_log),
        sh.push_env("FSX_DRT_EMULATOR_REQUEST_LOG", request_log),
    ]
}

/// Replaces (or appends) the section under `heading` in BENCHMARKS.md.
fn write_section(root: &Path, heading: &str, section: &str) -> Result<()> {
    let path = root.join("BENCHMARKS.md");
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let updated = replace_section(existing.as_deref(), heading, section);
    fs::write(&path, updated).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("\nwrote the section {heading:?} of {}", path.display());
    Ok(())
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
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

#!/usr/bin/env python3
"""fsx-drt against the AWS CLI, side by side on this machine. Run by `cargo xtask bench cli`.

Phases (each writes its raw measurements as JSON; `report` turns them into the markdown section
of BENCHMARKS.md on stdout; progress goes to stderr):

    cli_bench.py local    --fsx-drt BIN --aws AWS --json OUT [--runs N] [--validate-runs N]
        start-up (`fsx-drt --version` vs `aws --version`) and `fsx-drt validate` on a generated
        32-path parameters file (the reference's parameters.json format).
    cli_bench.py emulator --fsx-drt BIN --aws AWS --lambda-zip ZIP --env-file F --request-log F --json OUT
        on a running emulator: fresh deploy, no-op redeploy and destroy, fsx-drt against
        `aws cloudformation deploy` and `aws cloudformation delete-stack` + `wait
        stack-delete-complete`, same template, same artifact, same parameter values; wall time
        and the AWS requests each command made (from the emulator's request log).
    cli_bench.py latency  ... --server-log F
        on an emulator started with FSX_DRT_EMULATOR_STACK_DELAY: for a fresh deploy and a
        destroy, the time from the stack reaching its final state (the delayed final event, as
        the emulator logs it) to the command exiting.
    cli_bench.py report --local A.json --emulator B.json --latency C.json

Standard library only. Every command is bounded by a timeout; a failed command fails the run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import BenchError, fmt_count, fmt_ms, fmt_s, load_average, log, machine, measured_on
from common import now_utc, plural, run_main, stats, table_head, times, write_json, yes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEADING = "## CLI against the AWS CLI (`cargo xtask bench cli`)"

COMMAND_TIMEOUT_S = 180.0
# fsx-drt follows a stack from the events of the last 5 s before it starts (src/workflows/follow.rs);
# a destroy started sooner after the deploy ended would see the deploy's final event (see Method).
SETTLE_AFTER_FINAL_S = 6.0
WAITER_DELAY_S = 30  # botocore's CloudFormation stack waiters (and awscli's deploy) poll this often

GOAL_STARTUP_RATIO = 100.0
GOAL_VALIDATE_MS = 5.0
GOAL_LATENCY_S = 2.0


# ---------------------------------------------------------------------------------------------
# Running and timing one command
# ---------------------------------------------------------------------------------------------


class Result:
    def __init__(self, argv, wall_s, cpu_s, exit_wall, code, stdout, stderr):
        self.argv = argv
        self.wall_s = wall_s
        self.cpu_s = cpu_s
        self.exit_wall = exit_wall  # time.time() just after the process was reaped
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    def describe(self) -> str:
        return (
            f"`{shlex.join(self.argv)}` exited {self.code}\n--- stdout (tail) ---\n{self.stdout[-3000:]}"
            f"\n--- stderr (tail) ---\n{self.stderr[-3000:]}"
        )


def run(argv, env, tmp: Path, check=True, timeout=COMMAND_TIMEOUT_S) -> Result:
    """Spawns argv, waits for it with os.wait4 and returns wall time, CPU time and its output.

    The wall time runs from just before the spawn to just after the reap; stdout and stderr go
    to files (no pipe to drain while timing).
    """
    out_path, err_path = tmp / "stdout", tmp / "stderr"
    with open(out_path, "w+b") as out, open(err_path, "w+b") as err:
        started = time.perf_counter_ns()
        proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        timer = threading.Timer(timeout, lambda: _kill(proc.pid))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        ended = time.perf_counter_ns()
        exit_wall = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: keep Popen from waiting
    result = Result(
        list(argv),
        (ended - started) / 1e9,
        usage.ru_utime + usage.ru_stime,
        exit_wall,
        proc.returncode,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )
    if check and result.code != 0:
        raise BenchError(result.describe())
    return result


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def clean_env(home: Path, extra=None) -> dict:
    """What both sides get: no AWS config or credentials files, no instance metadata."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra or {})
    return env


def source_state() -> str:
    """The commit measured, and whether the sources that make the binary differ from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "core", "build.rs", "Cargo.toml", "Cargo.lock", "templates"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"commit {commit}" + (" with uncommitted changes to its sources" if dirty else "")


# ---------------------------------------------------------------------------------------------
# Phase: local (start-up, validate)
# ---------------------------------------------------------------------------------------------


def parameters_32(path: Path) -> list[str]:
    """Writes a reference-format parameters file with 32 paths (one quoted, with a space)."""
    paths = [f"/data/project-{i:02d}/results" for i in range(31)] + ["/data/shared files/reports"]
    rendered = " ".join(f'"{p}"' if " " in p else p for p in paths)
    document = [
        {"ParameterKey": "EmailAddress", "ParameterValue": "ops@example.com"},
        {"ParameterKey": "Schedule", "ParameterValue": "15 6 * * ? *"},
        {"ParameterKey": "FileSystemId", "ParameterValue": "fs-0123456789abcdef0"},
        {"ParameterKey": "Paths", "ParameterValue": rendered},
        {"ParameterKey": "TaskType", "ParameterValue": "Export"},
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return paths


def phase_local(args) -> dict:
    results = {"phase": "local", "load_before": os.getloadavg()[0], "date": now_utc(), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="fsx-drt-cli-bench-") as tmp:
        tmp = Path(tmp)
        home = tmp / "home"
        home.mkdir()
        env = clean_env(home)
        fsx = str(args.fsx_drt)
        aws = str(args.aws)
        results["fsx_drt_version"] = run([fsx, "--version"], env, tmp).stdout.strip()
        results["aws_version"] = run([aws, "--version"], env, tmp).stdout.strip() or run(
            [aws, "--version"], env, tmp
        ).stderr.strip()

        # /bin/true: what spawning and reaping any program costs this harness (the floor).
        samples = {side: {"wall": [], "cpu": []} for side in ("fsx-drt", "aws", "true")}
        argvs = {"fsx-drt": [fsx, "--version"], "aws": [aws, "--version"], "true": [shutil.which("true") or "/bin/true"]}
        for i in range(args.warmup + args.runs):
            for side in ("fsx-drt", "aws", "true") if i % 2 == 0 else ("aws", "fsx-drt", "true"):
                r = run(argvs[side], env, tmp)
                if i >= args.warmup:
                    samples[side]["wall"].append(r.wall_s * 1000)
                    samples[side]["cpu"].append(r.cpu_s * 1000)
            if i >= args.warmup:
                log(
                    f"--version run {i - args.warmup + 1}/{args.runs}: fsx-drt {samples['fsx-drt']['wall'][-1]:.2f} ms"
                    f", aws {samples['aws']['wall'][-1]:.1f} ms"
                )
        results["startup"] = samples

        params = Path(args.work) / "parameters-32.json"
        paths = parameters_32(params)
        argv = [fsx, "validate", "--no-input", "--parameters-file", str(params)]
        checked = json.loads(run(argv + ["--output", "json"], env, tmp).stdout)
        got = shlex.split(checked["parameters"]["Paths"])
        if not checked.get("valid") or got != paths:
            raise BenchError(f"validate did not accept the 32 paths as written: {checked}")
        walls, cpus = [], []
        for i in range(args.warmup + args.validate_runs):
            r = run(argv, env, tmp)
            if i >= args.warmup:
                walls.append(r.wall_s * 1000)
                cpus.append(r.cpu_s * 1000)
        log(f"validate (32 paths), {args.validate_runs} runs: median {statistics.median(walls):.2f} ms")
        results["validate"] = {
            "wall": walls,
            "cpu": cpus,
            "file": os.path.relpath(params, ROOT),
            "bytes": params.stat().st_size,
            "argv": ["fsx-drt", *argv[1:-1], os.path.relpath(params, ROOT)],
        }
    results["source"] = source_state()
    results["runs"] = args.runs
    results["validate_runs"] = args.validate_runs
    results["warmup"] = args.warmup
    return results


# ---------------------------------------------------------------------------------------------
# The emulator: its request log and its stack-delay knob
# ---------------------------------------------------------------------------------------------


class RequestLog:
    """Lines the emulator appends, one per AWS request (see emulator/server.py)."""

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size

    def since(self, offset: int) -> list[str]:
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", "replace")
        calls = []
        for line in text.splitlines():
            fields = line.split(" ")
            if len(fields) != 6:
                raise BenchError(f"unexpected request log line: {line!r}")
            _, method, service, operation, _, status = fields
            operation = operation.rsplit(".", 1)[-1]
            name = f"{service} {operation}" if operation != "-" else f"{service} {method}"
            calls.append(name if status.startswith("2") else f"{name} ({status})")
        return calls


def read_env_file(path: Path) -> dict:
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    for key in ("AWS_ENDPOINT_URL", "AWS_REGION", "FILE_SYSTEM_ID"):
        if not values.get(key):
            raise BenchError(f"{path} names no {key}")
    return values


def stack_delay(endpoint: str, seconds=None) -> float:
    url = endpoint.rstrip("/") + "/__fsx_drt_emulator/stack-delay"
    data = None if seconds is None else json.dumps({"Seconds": seconds}).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return float(json.loads(response.read())["Seconds"])


FINAL_LINE = re.compile(r"^stack-delay: (\S+) (\S+) at (\S+)Z$")


def final_state_at(server_log: Path, stack: str, status: str) -> float:
    """When the emulator ended the stack's delayed operation (epoch seconds), from its log."""
    found = None
    for line in server_log.read_text(errors="replace").splitlines():
        match = FINAL_LINE.match(line.strip())
        if match and match.group(1) == stack and match.group(2) == status:
            found = match.group(3)
    if found is None:
        raise BenchError(f"{server_log} has no `stack-delay: {stack} {status}` line")
    return datetime.datetime.fromisoformat(found).replace(tzinfo=datetime.timezone.utc).timestamp()


# ---------------------------------------------------------------------------------------------
# The two sides on the emulator
# ---------------------------------------------------------------------------------------------


class Sides:
    """fsx-drt and the AWS CLI against one emulator, with the same template, artifact and values."""

    def __init__(self, args, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.emulator = read_env_file(args.env_file)
        self.endpoint = self.emulator["AWS_ENDPOINT_URL"]
        self.region = self.emulator["AWS_REGION"]
        self.file_system_id = self.emulator["FILE_SYSTEM_ID"]
        home = tmp / "home"
        home.mkdir(exist_ok=True)
        self.env = clean_env(
            home,
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
            },
        )
        self.log = RequestLog(args.request_log)
        self.fsx = str(args.fsx_drt)
        self.aws = str(args.aws)
        self.zip = str(args.lambda_zip)
        self.tag = f"b{int(time.time()) % 1_000_000:06d}"
        self.template = Path(args.work) / "fsx-drt.template.yaml"
        self.values: list[tuple[str, str]] = []
        self.artifact_present = False

    # -- preparation (not timed) --

    def prepare(self) -> dict:
        """The template, the artifact's key, and the values fsx-drt sends, from a first deploy.

        That deploy also creates the managed artifact bucket and uploads the artifact; its stack
        is then deleted with the AWS CLI, which leaves the artifact where it is.
        """
        template = run([self.fsx, "template"], self.env, self.tmp).stdout
        self.template.parent.mkdir(parents=True, exist_ok=True)
        self.template.write_text(template)
        artifact = json.loads(
            run([self.fsx, "artifact", "--lambda-zip", self.zip, "--output", "json"], self.env, self.tmp).stdout
        )
        setup = f"{self.tag}-setup"
        deployed = json.loads(run(self.fsx_deploy(setup), self.env, self.tmp).stdout)
        self.values = [(c["name"], c["new"]) for c in deployed["parameter_changes"]]
        values = dict(self.values)
        if values.get("CodeKey") != artifact["key"]:
            raise BenchError(f"deploy sent CodeKey {values.get('CodeKey')}, the artifact's key is {artifact['key']}")
        self.bucket, self.key = values["CodeBucket"], values["CodeKey"]
        self.artifact_present = True
        run(self.aws_destroy(setup)[0], self.env, self.tmp)
        run(self.aws_destroy(setup)[1], self.env, self.tmp)
        log(f"prepared: template {len(template)} bytes, artifact s3://{self.bucket}/{self.key}")
        return {
            "template_bytes": len(template.encode()),
            "artifact": artifact,
            "values": self.values,
        }

    def ensure_artifact(self) -> None:
        """Puts the artifact back after an fsx-drt destroy removed it (not timed)."""
        if not self.artifact_present:
            run(
                [self.aws, "s3", "cp", "--only-show-errors", self.zip, f"s3://{self.bucket}/{self.key}"],
                self.env,
                self.tmp,
            )
            self.artifact_present = True

    # -- the commands --

    def fsx_deploy(self, stack: str) -> list[str]:
        return [
            self.fsx,
            "deploy",
            "--no-input",
            "--yes",
            "--stack-name",
            stack,
            "--parameters-file",
            str(ROOT / "examples/parameters.json"),
            "--file-system-id",
            self.file_system_id,
            "--paths",
            "/data",
            "--lambda-zip",
            self.zip,
            "--output",
            "json",
        ]

    def fsx_destroy(self, stack: str) -> list[str]:
        return [self.fsx, "destroy", "--yes", "--stack-name", stack, "--output", "json"]

    def aws_deploy(self, stack: str) -> list[str]:
        return [
            self.aws,
            "cloudformation",
            "deploy",
            "--template-file",
            str(self.template),
            "--stack-name",
            stack,
            "--capabilities",
            "CAPABILITY_IAM",
            "--no-fail-on-empty-changeset",
            "--parameter-overrides",
            *[f"{k}={v}" for k, v in self.values],
        ]

    def aws_destroy(self, stack: str) -> list[list[str]]:
        return [
            [self.aws, "cloudformation", "delete-stack", "--stack-name", stack],
            [self.aws, "cloudformation", "wait", "stack-delete-complete", "--stack-name", stack],
        ]

    def measure(self, argvs: list[list[str]]) -> dict:
        """Runs the commands one after the other; their wall times, CPU times and requests add up."""
        mark = self.log.mark()
        results = [run(argv, self.env, self.tmp) for argv in argvs]
        calls = self.log.since(mark)
        return {
            "wall": sum(r.wall_s for r in results),
            "cpu": sum(r.cpu_s for r in results),
            "exit_wall": results[-1].exit_wall,
            "requests": len(calls),
            "calls": calls,
            "stdout": results[-1].stdout,
            "result": results[-1],
        }

    def deploy(self, side: str, stack: str, expect: str) -> dict:
        """expect: "create" (a change set is executed) or "none" (nothing to do)."""
        self.ensure_artifact()
        if side == "fsx-drt":
            m = self.measure([self.fsx_deploy(stack)])
            out = json.loads(m["stdout"])
            ok = out.get("operation") == expect and (expect == "none" or out.get("status") == "CREATE_COMPLETE")
        else:
            m = self.measure([self.aws_deploy(stack)])
            wanted = "Successfully created/updated stack" if expect == "create" else "No changes to deploy"
            ok = wanted in m["stdout"]
        executed = any(c.endswith("ExecuteChangeSet") for c in m["calls"])
        if not ok or executed != (expect == "create"):
            raise BenchError(
                f"{side} deploy of {stack} (expected: {expect}) did not do that; requests {m['calls']}\n"
                + m["result"].describe()
            )
        return m

    def destroy(self, side: str, stack: str) -> dict:
        if side == "fsx-drt":
            m = self.measure([self.fsx_destroy(stack)])
            out = json.loads(m["stdout"])
            if out.get("status") != "DELETE_COMPLETE":
                raise BenchError(f"fsx-drt destroy of {stack}: {out}")
            if out.get("artifacts_removed"):
                self.artifact_present = False
        else:
            m = self.measure(self.aws_destroy(stack))
        if not any(c.endswith("DeleteStack") for c in m["calls"]):
            raise BenchError(f"{side} destroy of {stack} sent no DeleteStack: {m['calls']}")
        return m


def slim(m: dict) -> dict:
    return {k: v for k, v in m.items() if k not in ("stdout", "result")}


def phase_emulator(args) -> dict:
    results = {"phase": "emulator", "date": now_utc()}
    with tempfile.TemporaryDirectory(prefix="fsx-drt-cli-bench-") as tmp:
        sides = Sides(args, Path(tmp))
        results["prepared"] = sides.prepare()
        samples = {side: {"deploy": [], "noop": [], "destroy": []} for side in ("fsx-drt", "aws")}
        for i in range(args.warmup + args.runs):
            for side in ("fsx-drt", "aws") if i % 2 == 0 else ("aws", "fsx-drt"):
                stack = f"{sides.tag}-{'f' if side == 'fsx-drt' else 'a'}{i}"
                fresh = sides.deploy(side, stack, "create")
                noop = sides.deploy(side, stack, "none")
                gone = sides.destroy(side, stack)
                tag = "warm-up" if i < args.warmup else f"run {i - args.warmup + 1}/{args.runs}"
                log(
                    f"{side:7} {tag:9} deploy {fresh['wall'] * 1000:7.1f} ms ({fresh['requests']} requests)"
                    f"  no-op {noop['wall'] * 1000:7.1f} ms ({noop['requests']})"
                    f"  destroy {gone['wall'] * 1000:7.1f} ms ({gone['requests']})"
                )
                if i >= args.warmup:
                    samples[side]["deploy"].append(slim(fresh))
                    samples[side]["noop"].append(slim(noop))
                    samples[side]["destroy"].append(slim(gone))
        results["samples"] = samples
    results["runs"] = args.runs
    results["warmup"] = args.warmup
    return results


def latency_delays(runs: int) -> list[float]:
    """Spread over one waiter period, so the AWS CLI's 30 s polls meet every phase of it."""
    return [round(WAITER_DELAY_S * (i + 0.5) / runs, 1) for i in range(runs)]


def phase_latency(args) -> dict:
    results = {"phase": "latency", "date": now_utc()}
    with tempfile.TemporaryDirectory(prefix="fsx-drt-cli-bench-") as tmp:
        sides = Sides(args, Path(tmp))
        results["delay_at_start"] = stack_delay(sides.endpoint)
        if results["delay_at_start"] <= 0:
            raise BenchError("the emulator was not started with FSX_DRT_EMULATOR_STACK_DELAY")
        stack_delay(sides.endpoint, 0)
        results["prepared"] = sides.prepare()
        delays = latency_delays(args.runs)
        samples = {side: {"deploy": [], "destroy": []} for side in ("fsx-drt", "aws")}
        for i, delay in enumerate(delays):
            for side in ("fsx-drt", "aws") if i % 2 == 0 else ("aws", "fsx-drt"):
                stack = f"{sides.tag}-{'f' if side == 'fsx-drt' else 'a'}{i}"
                sides.ensure_artifact()
                stack_delay(sides.endpoint, delay)
                fresh = sides.deploy(side, stack, "create")
                fresh["final_at"] = final_state_at(args.server_log, stack, "CREATE_COMPLETE")
                fresh["latency"] = fresh["exit_wall"] - fresh["final_at"]
                fresh["delay"] = delay
                # Not timed: see SETTLE_AFTER_FINAL_S.
                time.sleep(max(0.0, fresh["final_at"] + SETTLE_AFTER_FINAL_S - time.time()))
                gone = sides.destroy(side, stack)
                gone["final_at"] = final_state_at(args.server_log, stack, "DELETE_COMPLETE")
                gone["latency"] = gone["exit_wall"] - gone["final_at"]
                gone["delay"] = delay
                for m in (fresh, gone):
                    if m["latency"] < 0:
                        raise BenchError(f"{side} exited {-m['latency']:.3f} s before {stack} reached its final state")
                log(
                    f"{side:7} delay {delay:4.1f} s: deploy exits {fresh['latency']:6.2f} s after CREATE_COMPLETE"
                    f" ({fresh['requests']} requests), destroy {gone['latency']:6.2f} s after DELETE_COMPLETE"
                    f" ({gone['requests']})"
                )
                samples[side]["deploy"].append(slim(fresh))
                samples[side]["destroy"].append(slim(gone))
        stack_delay(sides.endpoint, 0)
        results["samples"] = samples
        results["delays"] = delays
    results["runs"] = args.runs
    results["load_after"] = os.getloadavg()[0]
    return results


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def call_list(calls):
    """`a, b ×2, c` in order, repeats of the same call folded."""
    out = []
    for call in calls:
        if out and out[-1][0] == call:
            out[-1][1] += 1
        else:
            out.append([call, 1])
    return ", ".join(f"{c} ×{n}" if n > 1 else c for c, n in out)


def typical(samples):
    """The run whose request count is the median one (the first such)."""
    counts = [m["requests"] for m in samples]
    target = statistics.median_low(counts)
    return next(m for m in samples if m["requests"] == target)


def report(local: dict, emu: dict, lat: dict) -> str:
    m = local["machine"]
    lines = []
    add = lines.append
    add(HEADING)
    add("")
    add(
        f"{measured_on(local['date'], m)}. `{local['fsx_drt_version']}` ({local['source']}; `target/release/fsx-drt`) "
        f"against `{local['aws_version']}` (PyPI, pinned in bench/awscli-requirements.txt). Each "
        "comparison runs both sides in this one run, the sides alternating; "
        f"{load_average(local['load_before'], lat['load_after'])}. Medians, with min–max in brackets."
    )
    add("")

    # Start-up and validate.
    fs, aw = local["startup"]["fsx-drt"], local["startup"]["aws"]
    fw, awl = stats(fs["wall"]), stats(aw["wall"])
    fc, ac = stats(fs["cpu"]), stats(aw["cpu"])
    vw, vc = stats(local["validate"]["wall"]), stats(local["validate"]["cpu"])
    add(
        f"Start-up and offline validation ({local['runs']} runs per side, {local['validate_runs']} for validate, "
        f"after {plural(local['warmup'], 'warm-up run')} each):"
    )
    add("")
    add(table_head("measure", "fsx-drt", "AWS CLI", "AWS CLI / fsx-drt"))
    add(
        f"| `--version`: wall time, spawn → exit | {fmt_ms(fw, 2)} | {fmt_ms(awl)} | {times(awl, fw, 0)} |"
    )
    add(f"| `--version`: CPU time (user + sys) | {fmt_ms(fc, 2)} | {fmt_ms(ac)} | {times(ac, fc, 0)} |")
    floor = stats(local["startup"]["true"]["wall"])
    add(f"| for scale: `/bin/true`, wall time (this harness's spawn-and-reap floor) | {fmt_ms(floor, 2)} | | |")
    add(
        f"| `fsx-drt validate --parameters-file` (32 paths): wall time | {fmt_ms(vw, 2)} | — | — |"
    )
    add(f"| the same: CPU time (user + sys) | {fmt_ms(vc, 2)} | — | — |")
    add("")

    # Emulator comparison.
    es = emu["samples"]
    add(
        f"On the local emulator, same template, same artifact already uploaded, same parameter values "
        f"({emu['runs']} runs per side after {plural(emu['warmup'], 'warm-up run')} each; a run is fresh deploy, "
        "no-op redeploy, destroy of a new stack):"
    )
    add("")
    add(table_head("command", "fsx-drt", "AWS CLI", "AWS CLI / fsx-drt", "AWS requests: fsx-drt", "AWS CLI"))
    labels = {
        "deploy": ("fresh deploy", "`fsx-drt deploy --yes`", "`aws cloudformation deploy --no-fail-on-empty-changeset`"),
        "noop": ("no-op redeploy", "the same again", "the same again"),
        "destroy": (
            "destroy",
            "`fsx-drt destroy --yes`",
            "`aws cloudformation delete-stack` + `wait stack-delete-complete`",
        ),
    }
    emu_ratios = {}
    for key, (label, _, _) in labels.items():
        f = stats([x["wall"] * 1000 for x in es["fsx-drt"][key]])
        a = stats([x["wall"] * 1000 for x in es["aws"][key]])
        fr = [x["requests"] for x in es["fsx-drt"][key]]
        ar = [x["requests"] for x in es["aws"][key]]
        emu_ratios[key] = (a["median"] / f["median"], statistics.median(fr), statistics.median(ar))
        add(
            f"| {label} | {fmt_ms(f)} | {fmt_ms(a)} | {times(a, f)} | {fmt_count(fr)} | {fmt_count(ar)} |"
        )
    for key, (label, _, _) in labels.items():
        f = stats([x["cpu"] * 1000 for x in es["fsx-drt"][key]])
        a = stats([x["cpu"] * 1000 for x in es["aws"][key]])
        add(f"| {label}: CPU time of the command(s) | {fmt_ms(f)} | {fmt_ms(a)} | {times(a, f, 0)} | | |")
    add("")
    add("The requests of one run (the one with the median count), in order:")
    add("")
    for key, (label, fcmd, acmd) in labels.items():
        for side, cmd in (("fsx-drt", fcmd), ("aws", acmd)):
            t = typical(es[side][key])
            add(f"- {label}, {cmd} ({t['requests']}): {call_list(t['calls'])}")
    add("")

    # Completion latency.
    ls = lat["samples"]
    delays = ", ".join(f"{d:g}" for d in lat["delays"])
    add(
        f"Completion latency: the emulator started with `FSX_DRT_EMULATOR_STACK_DELAY`, so a stack "
        f"operation stays in progress for D seconds after it starts; D = {delays} s, one per run "
        f"({lat['runs']} runs per side), spread over the AWS CLI's {WAITER_DELAY_S} s poll period. "
        "Time from the stack reaching its final state (the final event's timestamp) to the command "
        "exiting:"
    )
    add("")
    add(table_head("operation", "fsx-drt", "AWS CLI", "AWS CLI / fsx-drt", "AWS requests: fsx-drt", "AWS CLI"))
    lat_stats = {}
    for key, label in (("deploy", "fresh deploy (CREATE_COMPLETE)"), ("destroy", "destroy (DELETE_COMPLETE)")):
        f = stats([x["latency"] for x in ls["fsx-drt"][key]])
        a = stats([x["latency"] for x in ls["aws"][key]])
        lat_stats[key] = (f, a)
        fr = [x["requests"] for x in ls["fsx-drt"][key]]
        ar = [x["requests"] for x in ls["aws"][key]]
        add(
            f"| {label} | {fmt_s(f)} | {fmt_s(a)} | {times(a, f)} | {fmt_count(fr)} | {fmt_count(ar)} |"
        )
    add("")
    per_run = []
    for key in ("deploy", "destroy"):
        for side in ("fsx-drt", "aws"):
            values = ", ".join(f"{x['latency']:.2f}" for x in ls[side][key])
            per_run.append(f"{'fsx-drt' if side == 'fsx-drt' else 'AWS CLI'} {key}: {values}")
    add(f"Per run, in the order of D (s): {'; '.join(per_run)}.")
    add("")
    add(
        "fsx-drt's request count here grows with the operation's length: it asks for the stack's "
        f"events every 1-2 s, where the AWS CLI's waiters ask for the stack every {WAITER_DELAY_S} s."
    )
    add("")

    # Goals.
    startup_ratio = awl["median"] / fw["median"]
    add(table_head("goal", "measured", ""))
    add(
        f"| start-up ≥ 100× faster than `aws --version` | {startup_ratio:.0f}× ({fw['median']:.2f} ms vs "
        f"{awl['median']:.0f} ms) | {yes(startup_ratio >= GOAL_STARTUP_RATIO)} |"
    )
    add(
        f"| `fsx-drt validate`, 32 paths, ≤ 5 ms | median {vw['median']:.2f} ms, max {vw['max']:.2f} ms "
        f"| {yes(vw['median'] <= GOAL_VALIDATE_MS)} |"
    )
    notes = []
    for key, label in (("deploy", "fresh deploy"), ("noop", "no-op redeploy"), ("destroy", "destroy")):
        ratio, fr, ar = emu_ratios[key]
        faster, fewer = ratio > 1, fr < ar
        add(
            f"| {label}: faster than the AWS CLI | {ratio:.1f}× faster | {yes(faster)} |"
            if faster
            else f"| {label}: faster than the AWS CLI | {1 / ratio:.1f}× slower | {yes(faster)} |"
        )
        add(f"| {label}: fewer AWS requests | {fr:g} vs {ar:g} | {yes(fewer)} |")
        if not fewer:
            notes.append(label)
    worst = max(max(x["latency"] for x in ls["fsx-drt"][k]) for k in ("deploy", "destroy"))
    fmed = max(lat_stats[k][0]["median"] for k in ("deploy", "destroy"))
    add(
        f"| completion latency ≤ 2 s | median ≤ {fmed:.2f} s, max {worst:.2f} s (AWS CLI: median "
        f"{lat_stats['deploy'][1]['median']:.1f} s / {lat_stats['destroy'][1]['median']:.1f} s) | {yes(worst <= GOAL_LATENCY_S)} |"
    )
    add("")
    if notes:
        add(
            f"Not met: fewer requests on {', '.join(notes)}. fsx-drt's extra requests are checks and "
            "bookkeeping the AWS CLI leaves to its user (see the request lists above): on deploy, "
            "GetCallerIdentity (the account for the artifact bucket's name), DescribeFileSystems and "
            "DescribeDataRepositoryAssociations (the file system exists, is Lustre and AVAILABLE, and "
            "its data repositories cover every path, so a bad value fails before CloudFormation is "
            "touched), HeadObject (the artifact is uploaded once, by content hash; HeadBucket too "
            "when it is missing), "
            "DescribeStackEvents (following the stack every 1-2 s: the events shown and the root "
            "cause of a failure), and on a redeploy DeleteChangeSet (an "
            "empty change set is removed, not left behind); on destroy DescribeDataRepositoryTasks "
            "(a warning when a task is running), a DescribeStacks listing and DeleteObject (the "
            "artifact is removed when no other stack uses it). The AWS CLI side does none of these. "
            "Each is a few ms on loopback; on AWS each costs a round trip, which the wall times "
            "here do not show."
        )
        add("")

    # Method.
    prepared = emu["prepared"]
    values = ", ".join(f"{k}={v}" for k, v in prepared["values"] if k not in ("CodeKey",))
    add("Method (bench/cli_bench.py, standard library only, driven by xtask/src/bench.rs):")
    add("")
    add(
        "- Every command is spawned by `subprocess.Popen` with stdout and stderr to files and reaped "
        "with `os.wait4`; wall time is `time.perf_counter_ns()` just before the spawn to just after "
        "the reap, CPU time the child's user + sys from the same `wait4`. Both sides get the same "
        "clean environment: `PATH=/usr/local/bin:/usr/bin:/bin`, an empty HOME, no AWS config or "
        "credentials files, `AWS_EC2_METADATA_DISABLED=true`; on the emulator also "
        "`AWS_ENDPOINT_URL`, `AWS_REGION`/`AWS_DEFAULT_REGION` and the dummy keys "
        "`AWS_ACCESS_KEY_ID=testing`, `AWS_SECRET_ACCESS_KEY=testing`. A command that exits non-zero, "
        "or does something else than expected, fails the benchmark."
    )
    add(
        f"- fsx-drt: `target/release/fsx-drt`, built by `cargo build --release --locked --bin fsx-drt` "
        "(the release profile `cargo xtask install` uses; the Lambda zip is passed with "
        "`--lambda-zip target/lambda/fsx-drt-lambda.zip`, built by `cargo xtask lambda` when missing, "
        "instead of being built in). AWS CLI: `target/venv-awscli/bin/aws`, the console script pip "
        "installs (the Python interpreter starts, imports awscli and its bundled botocore), "
        "installed by xtask from bench/awscli-requirements.txt."
    )
    add(
        f"- Start-up: `fsx-drt --version` and `aws --version`, {local['runs']} runs each. Validate: "
        f"`{shlex.join(local['validate']['argv'])}`, {local['validate_runs']} runs; the file "
        f"({local['validate']['bytes']} bytes, written by the benchmark) is the reference's format "
        "(a JSON array of ParameterKey/ParameterValue) with 32 paths, one of them quoted because it "
        "holds a space; validate's JSON output is checked to list the 32 paths as written. The "
        "parse, every check and the next five run times are in the measured time."
    )
    add(
        "- Emulator: `emulator/setup.sh --detach`, started and stopped by xtask (through the same "
        "`Emulator` as `cargo xtask demo`), with its state, server log and request log in "
        "target/bench/ so that an emulator someone else runs is neither reused nor disturbed. "
        "Request counts: the lines the emulator appended to its request log (one per AWS request; "
        "emulator/server.py) between the command's spawn and its exit; nothing else talks to it "
        "meanwhile."
    )
    add(
        f"- Same work on both sides: the template is `fsx-drt template` written to a file "
        f"({prepared['template_bytes']:,} bytes, so `aws cloudformation deploy` sends it inline as "
        "fsx-drt does); before measuring, one fsx-drt deploy creates the artifact bucket and uploads "
        f"the artifact (`{prepared['artifact']['key']}`, {prepared['artifact']['bytes']:,} bytes), and "
        "the parameter values it sent (its JSON output's parameter changes) are given to the AWS CLI "
        f"as `--parameter-overrides`: {values}, CodeKey=(the artifact's key). The AWS CLI side gets "
        "`--capabilities CAPABILITY_IAM` (fsx-drt asks for CAPABILITY_IAM too). fsx-drt gets "
        "examples/parameters.json with `--file-system-id` (the emulator's) and `--paths /data`, and "
        "`--yes --no-input --output json`."
    )
    add(
        "- Each run deploys a new stack (a distinct name per side and run), deploys it again "
        "unchanged, and destroys it. Checked every time: the fresh deploy executed a change set and "
        "ended CREATE_COMPLETE; the no-op redeploy executed nothing (fsx-drt: operation `none`; AWS "
        "CLI: \"No changes to deploy\"); the destroy sent DeleteStack and ended DELETE_COMPLETE. "
        "fsx-drt's destroy also removes the artifact when no other stack uses it; the benchmark puts "
        "it back with `aws s3 cp` before the next fresh deploy (not timed), so every fresh deploy "
        "finds it uploaded. The AWS CLI's destroy is two commands, whose times and requests are "
        "added up."
    )
    add(
        "- The emulator answers on loopback in milliseconds and finishes a stack operation inside "
        "the request that starts it (moto, in Python, on the same 2 CPUs: its work, such as creating "
        "the stack's resources in ExecuteChangeSet, is inside both sides' wall times, but not their "
        "CPU times), so these wall times are mostly each tool's own start-up and work: on AWS, where every request is a network round trip and a stack takes minutes, both "
        "sides would wait on AWS far longer, and how soon each notices the end is the completion "
        "latency below."
    )
    add(
        "- Completion latency: a second emulator, started with `FSX_DRT_EMULATOR_STACK_DELAY` "
        "(emulator/stack_delay.py): DescribeStacks reports the operation's *_IN_PROGRESS status and "
        "DescribeStackEvents withholds the final stack event, timestamped start + D, until that "
        "moment; the emulator logs it (`stack-delay: STACK STATUS at TIME`), and the latency is the "
        "command's exit (`time.time()` after the reap) minus that time. D is set per run through "
        "`POST /__fsx_drt_emulator/stack-delay`. fsx-drt follows DescribeStackEvents every 1-2 s; "
        f"`aws cloudformation deploy` waits with botocore's stack waiters every {WAITER_DELAY_S} s "
        f"(its change-set waiter every 5 s), as does `aws cloudformation wait stack-delete-complete`, "
        "so its latency is the rest of its current 30 s period: it depends on D, which is why D is "
        "spread over one period. Between a deploy's end and the destroy, the benchmark waits "
        f"{SETTLE_AFTER_FINAL_S:g} s (not timed): fsx-drt's follow takes stack events from 5 s "
        "before it starts, and a destroy begun sooner after the stack's last change took the "
        "deploy's CREATE_COMPLETE for its own end and failed (\"stack … ended CREATE_COMPLETE\"). "
        "That fsx-drt bug, found by this benchmark, is fixed (follow now takes only an end that "
        "comes after its own operation's start, and a deletion ends only in DELETE_*; "
        "unit-tested in src/stack/); the untimed wait stays so that runs compare with earlier "
        "ones."
    )
    add(
        "- Not measured: AWS's own time and the network, which the emulator leaves out; the page "
        "cache is warm for both sides (warm-up runs)."
    )
    add("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="phase", required=True)

    def common(p, runs):
        p.add_argument("--fsx-drt", required=True, type=Path)
        p.add_argument("--aws", required=True, type=Path)
        p.add_argument("--json", required=True, type=Path, help="write the raw measurements here")
        p.add_argument("--work", type=Path, default=ROOT / "target/bench", help="generated files go here")
        p.add_argument("--runs", type=int, default=runs)
        p.add_argument("--warmup", type=int, default=1)

    def emulator(p):
        p.add_argument("--lambda-zip", required=True, type=Path)
        p.add_argument("--env-file", required=True, type=Path, help="the emulator's AWS_ENDPOINT_URL=... lines")
        p.add_argument("--request-log", required=True, type=Path)

    local = sub.add_parser("local")
    common(local, 21)
    local.add_argument("--validate-runs", type=int, default=31)
    emu = sub.add_parser("emulator")
    common(emu, 7)
    emulator(emu)
    lat = sub.add_parser("latency")
    common(lat, 5)
    emulator(lat)
    lat.add_argument("--server-log", required=True, type=Path)
    rep = sub.add_parser("report")
    rep.add_argument("--local", required=True, type=Path)
    rep.add_argument("--emulator", required=True, type=Path)
    rep.add_argument("--latency", required=True, type=Path)
    args = parser.parse_args()

    if args.phase == "report":
        loaded = [json.loads(p.read_text()) for p in (args.local, args.emulator, args.latency)]
        print(report(*loaded))
        return 0
    if args.runs < 5 or (args.phase == "local" and args.validate_runs < 20):
        parser.error("at least 5 runs per side (20 for validate)")
    for path in (args.fsx_drt, args.aws):
        if not path.is_file():
            parser.error(f"{path} does not exist")
    args.fsx_drt = args.fsx_drt.resolve()
    args.aws = args.aws.absolute()
    phase = {"local": phase_local, "emulator": phase_emulator, "latency": phase_latency}[args.phase]
    results = phase(args)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    run_main(main, "cli_bench")

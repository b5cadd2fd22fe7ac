#!/usr/bin/env python3
"""A fleet's deploy against the same stacks deployed one by one. Run by `cargo xtask bench fleet`.

    fleet_bench.py --fsx-drt BIN --lambda-zip ZIP --env-file F --request-log F --server-log F
                   --work DIR --json OUT [--members 10] [--concurrency 4] [--delay 20]

On a running emulator (its env file names the endpoint, region and seeded file system), with
every stack operation taking --delay seconds (the emulator's stack-delay knob, set here):

1. `fsx-drt deploy --stack-name fsx-drt-mNN --parameters-file member.yaml` for each member, one
   after the other (the sequential side);
2. `fsx-drt destroy --fleet` of those stacks (not timed);
3. `fsx-drt deploy --fleet fleet.yaml --concurrency N`: the same members, the same definition
   (the fleet side);
4. `fsx-drt destroy --fleet` again (not timed).

Reports both wall times, their ratio, the AWS requests each side made with the most
CloudFormation requests in one second, and the throttling errors seen (in the commands'
output, the request log and the server log). Prints the markdown section on stdout.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from cli_bench import RequestLog, clean_env, read_env_file, run, source_state, stack_delay
from common import BenchError, load_average, log, machine, measured_on, now_utc, run_main, write_json, yes

HEADING = "## A fleet against sequential deploys (`cargo xtask bench fleet`)"
GOAL_RATIO = 3.0
FLEET_NAME = "bench-fleet"
COMMAND_TIMEOUT_S = 1200.0
THROTTLING = re.compile(r"throttl|too many requests|rate exceeded", re.IGNORECASE)

DEFINITION = """EmailAddress: hpc-ops@example.com
FileSystemId: {fs}
Schedules:
  nightly-export: {{TaskType: Export, Paths: /data, Schedule: "0 22 * * ? *", Timezone: Europe/Berlin}}
"""


def write_files(work: Path, fs: str, members: int) -> tuple[Path, Path, list[str]]:
    """member.yaml (one definition) and fleet.yaml (that definition as Defaults, N members)."""
    work.mkdir(parents=True, exist_ok=True)
    definition = DEFINITION.format(fs=fs)
    member = work / "member.yaml"
    member.write_text(definition)
    names = [f"m{i:02d}" for i in range(1, members + 1)]
    defaults = "".join(f"  {line}\n" for line in definition.splitlines())
    fleet = work / "fleet.yaml"
    fleet.write_text(
        f"Name: {FLEET_NAME}\nDefaults:\n{defaults}Members:\n" + "".join(f"  {n}: {{}}\n" for n in names)
    )
    return member, fleet, names


def requests_since(log_path: Path, offset: int) -> list[tuple[str, str, str]]:
    """(second, service, status) of every request logged since offset."""
    with open(log_path, "rb") as fh:
        fh.seek(offset)
        lines = fh.read().decode("utf-8", "replace").splitlines()
    found = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) == 6:
            found.append((fields[0][:19], fields[2], fields[5]))
    return found


def measure(argvs: list[list[str]], env: dict, tmp: Path, log_path: Path) -> dict:
    """Runs the commands one after the other: their wall times, output and requests."""
    mark = RequestLog(log_path).mark()
    results = [run(argv, env, tmp, timeout=COMMAND_TIMEOUT_S) for argv in argvs]
    requests = requests_since(log_path, mark)
    per_second = Counter(second for second, service, _ in requests if service == "cloudformation")
    output = "".join(r.stdout + r.stderr for r in results)
    return {
        "walls": [r.wall_s for r in results],
        "wall": sum(r.wall_s for r in results),
        "requests": len(requests),
        "cloudformation_peak_per_second": max(per_second.values(), default=0),
        "throttled_requests": sum(1 for _, _, status in requests if status in ("429", "503")),
        "throttling_lines": sum(1 for line in output.splitlines() if THROTTLING.search(line)),
        "stdouts": [r.stdout for r in results],
    }


def check_deployed(stdout: str, what: str) -> None:
    status = json.loads(stdout).get("status")
    if status != "CREATE_COMPLETE":
        raise BenchError(f"{what} did not deploy: {status}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fsx-drt", type=Path, required=True)
    p.add_argument("--lambda-zip", type=Path, required=True)
    p.add_argument("--env-file", type=Path, required=True)
    p.add_argument("--request-log", type=Path, required=True)
    p.add_argument("--server-log", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--members", type=int, default=10)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--delay", type=float, default=20.0)
    args = p.parse_args()

    emulator = read_env_file(args.env_file)
    endpoint, region = emulator["AWS_ENDPOINT_URL"], emulator["AWS_REGION"]
    work = args.work / "fleet-bench"
    member, fleet, names = write_files(work, emulator["FILE_SYSTEM_ID"], args.members)
    fsx, zip_ = str(args.fsx_drt), str(args.lambda_zip)
    results = {"date": now_utc(), "machine": machine(), "load_before": os.getloadavg()[0], "source": source_state()}
    results.update({"members": args.members, "concurrency": args.concurrency, "delay_s": args.delay})
    with tempfile.TemporaryDirectory(prefix="fsx-drt-fleet-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "home").mkdir()
        env = clean_env(
            tmp / "home",
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_REGION": region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
            },
        )
        common = ["--no-input", "--yes", "--lambda-zip", zip_, "--output", "json"]
        destroy = [[fsx, "destroy", "--fleet", str(fleet), "--no-input", "--yes", "--output", "json"]]
        stack_delay(endpoint, args.delay)
        log(f"stack operations take {args.delay:g} s; {args.members} sequential deploys")
        sequential = measure(
            [[fsx, "deploy", "--stack-name", f"fsx-drt-{n}", "--parameters-file", str(member), *common] for n in names],
            env,
            tmp,
            args.request_log,
        )
        for name, stdout in zip(names, sequential["stdouts"]):
            check_deployed(stdout, f"fsx-drt-{name}")
        log(f"sequential: {sequential['wall']:.1f} s; destroying (not timed)")
        removed = measure(destroy, env, tmp, args.request_log)
        gone = json.loads(removed["stdouts"][0])["summary"]
        if gone["succeeded"] != args.members:
            raise BenchError(f"destroy --fleet after the sequential deploys: {gone}")
        log(f"fleet deploy, --concurrency {args.concurrency}")
        fleet_run = measure(
            [[fsx, "deploy", "--fleet", str(fleet), "--concurrency", str(args.concurrency), *common]],
            env,
            tmp,
            args.request_log,
        )
        outcome = json.loads(fleet_run["stdouts"][0])
        operations = Counter(m["operation"] for m in outcome["members"])
        if outcome["summary"]["succeeded"] != args.members or operations != Counter({"create": args.members}):
            raise BenchError(f"the fleet deploy did not create every member: {outcome['summary']}, {operations}")
        log(f"fleet: {fleet_run['wall']:.1f} s; destroying (not timed)")
        measure(destroy, env, tmp, args.request_log)
        stack_delay(endpoint, 0)
    server_throttling = sum(1 for line in args.server_log.read_text(errors="replace").splitlines() if THROTTLING.search(line))
    for side in (sequential, fleet_run):
        side.pop("stdouts")
    results.update(
        {
            "sequential": sequential,
            "fleet": fleet_run,
            "server_log_throttling_lines": server_throttling,
            "load_after": os.getloadavg()[0],
        }
    )
    write_json(args.json, results)
    print(report(results))
    return 0


def report(r: dict) -> str:
    seq, fleet = r["sequential"], r["fleet"]
    ratio = seq["wall"] / max(fleet["wall"], 1e-9)
    throttled = (
        seq["throttled_requests"] + fleet["throttled_requests"] + seq["throttling_lines"] + fleet["throttling_lines"]
        + r["server_log_throttling_lines"]
    )
    n, c, delay = r["members"], r["concurrency"], r["delay_s"]
    waves = -(-n // c)
    rows = [
        "| | wall time | per stack | AWS requests | most CloudFormation requests in one second | throttling errors |",
        "|---|---|---|---|---|---|",
        f"| {n} × `fsx-drt deploy`, one after another | {seq['wall']:.1f} s | {statistics.median(seq['walls']):.1f} s "
        f"(median; {min(seq['walls']):.1f}–{max(seq['walls']):.1f}) | {seq['requests']} | "
        f"{seq['cloudformation_peak_per_second']} | {seq['throttled_requests'] + seq['throttling_lines']} |",
        f"| `fsx-drt deploy --fleet` ({n} members, `--concurrency {c}`) | {fleet['wall']:.1f} s | – | "
        f"{fleet['requests']} | {fleet['cloudformation_peak_per_second']} | "
        f"{fleet['throttled_requests'] + fleet['throttling_lines']} |",
    ]
    return "\n".join(
        [
            HEADING,
            "",
            f"{measured_on(r['date'], r['machine'])}; {r['source']}; "
            f"{load_average(r['load_before'], r['load_after'])}.",
            "",
            *rows,
            "",
            f"- The fleet deploy took {ratio:.2f}× less time than the {n} deploys in a row "
            f"(goal: at least {GOAL_RATIO:g}×, {yes(ratio >= GOAL_RATIO)}; with {c} at a time, {n} members go in "
            f"{waves} waves of stack operations, so {n / waves:.2f}× is the most the wave count allows).",
            f"- Throttling errors seen: {throttled} (goal: none, {yes(throttled == 0)}): lines matching "
            "`throttl|too many requests|rate exceeded` in every command's output (`--verbose` not set) and in "
            "the emulator's server log, and requests answered 429 or 503 in its request log. The emulator "
            "(moto) does not throttle, so this shows only that fsx-drt met no throttling and retried nothing "
            "here; the request rate column is what AWS's per-account, per-Region limits would see.",
            "",
            f"Method: the emulator started fresh (`emulator/setup.sh --detach`), every CloudFormation stack "
            f"operation taking {delay:g} s (`POST /__fsx_drt_emulator/stack-delay`, the final event and status "
            f"{delay:g} s after the operation started). Every member is the same definition (one schedule, "
            "the emulator's seeded file system, its /data association), region AWS_REGION, stack "
            "`fsx-drt-mNN`: the sequential side runs `fsx-drt deploy --stack-name fsx-drt-mNN "
            "--parameters-file member.yaml --yes` for each; then `fsx-drt destroy --fleet` removes them "
            "(not timed); the fleet side runs `fsx-drt deploy --fleet fleet.yaml --concurrency "
            f"{c} --yes` (change sets made first, then executed together, members of one region starting at "
            "least 0.5 s apart); `destroy --fleet` again at the end. Wall times from spawn to exit; requests "
            "from the emulator's request log (`bench/fleet_bench.py`).",
        ]
    )


if __name__ == "__main__":
    run_main(main, "fleet_bench")

#!/usr/bin/env python3
"""A task's end to the alarm message, on the local emulator. Run by `cargo xtask bench alarm`.

    alarm_bench.py --endpoint URL --checks BIN --runs N --cap MINUTES --task-seconds S --json OUT

On an emulator started with FSX_DRT_EMULATOR_TASK_SECONDS=S (every task ends S seconds after
its creation), for each run: a file system of its own (FSx runs one task at a time on one)
with an association /data -> s3://fsx-drt-demo-data/bench-N/, and an export task that ends
with 3 failed files (its completion report written to moto S3). Then BIN (examples/
follow_up_checks.rs) follows every task as the function does: the first check after the
task's expected length (spread over the runs from 60 s up, so the checks meet the end at
different moments, as real previous lengths over- and under-estimate), then twice the wait,
within the cap, until a check reports the task. The alarm topic's messages arrive in an SQS
queue subscribed to it; the latency of a run is the message's SNS Timestamp minus the task's
EndTime (FSx's, as the emulator reports it). The markdown section goes to stdout, progress to
stderr. Needs boto3 (the emulator's venv).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import boto3

from common import BenchError, load_average, log, machine, measured_on, now_utc, run_main, stats
from common import table_head, write_json, yes

HEADING = "## A task's end to the alarm message (`cargo xtask bench alarm`)"
BUCKET = "fsx-drt-demo-data"
FIRST_EXPECTED_S = 60
EXPECTED_STEP_S = 24
FOLLOW_TIMEOUT_S = 30 * 60


def clients(endpoint: str):
    kw = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return {name: boto3.client(name, **kw) for name in ("fsx", "sns", "sqs")}


def seed_association(endpoint: str, fs_id: str, run: int) -> None:
    body = json.dumps(
        {"FileSystemId": fs_id, "FileSystemPath": "/data", "DataRepositoryPath": f"s3://{BUCKET}/bench-{run}/"}
    ).encode()
    request = urllib.request.Request(
        f"{endpoint}/__fsx_drt_emulator/associations", data=body, method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def setup(endpoint: str, aws, runs: int):
    topic = aws["sns"].create_topic(Name="fsx-drt-bench-alarms")["TopicArn"]
    queue = aws["sqs"].create_queue(QueueName="fsx-drt-bench-alarm-mail")["QueueUrl"]
    queue_arn = aws["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    tasks = []
    for run in range(runs):
        fs = aws["fsx"].create_file_system(
            FileSystemType="LUSTRE",
            StorageCapacity=1200,
            SubnetIds=["subnet-0123456789abcdef0"],
            LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 125},
            FileSystemTypeVersion="2.15",
        )["FileSystem"]["FileSystemId"]
        seed_association(endpoint, fs, run)
        task = aws["fsx"].create_data_repository_task(
            Type="EXPORT_TO_REPOSITORY",
            FileSystemId=fs,
            Paths=["data/partial-3"],
            Report={
                "Enabled": True,
                "Path": f"s3://{BUCKET}/bench-{run}/fsx-drt-completion-reports",
                "Format": "REPORT_CSV_20191124",
                "Scope": "FAILED_FILES_ONLY",
            },
        )["DataRepositoryTask"]
        tasks.append({"TaskId": task["TaskId"], "FileSystemId": fs, "ExpectedSeconds": FIRST_EXPECTED_S + EXPECTED_STEP_S * run})
    return topic, queue, tasks


def messages(aws, queue: str, want: int, deadline: float) -> dict[str, dict]:
    """The alarm messages by task id (the task id is in each subject)."""
    found: dict[str, dict] = {}
    while len(found) < want and time.time() < deadline:
        got = aws["sqs"].receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
        for m in got:
            body = json.loads(m["Body"])
            task = next((w for w in body.get("Subject", "").split() if w.startswith("task-")), None)
            if task is None or task in found:
                raise BenchError(f"an unexpected or second message: {body.get('Subject')!r}")
            found[task] = body
            aws["sqs"].delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    return found


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--checks", required=True, help="the follow_up_checks example's binary")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--cap", type=int, default=5, help="FollowUpCapMinutes")
    p.add_argument("--task-seconds", type=float, required=True)
    p.add_argument("--json", required=True)
    a = p.parse_args()
    load_before = os.getloadavg()[0]
    date = now_utc()
    aws = clients(a.endpoint)
    topic, queue, tasks = setup(a.endpoint, aws, a.runs)
    log(f"{len(tasks)} tasks created, each ending after {a.task_seconds:g} s; following them (checks within {a.cap} min)")
    args = [a.checks, topic, str(a.cap)] + [f"{t['TaskId']}:{t['FileSystemId']}:{t['ExpectedSeconds']}" for t in tasks]
    started = time.time()
    done = subprocess.run(
        args, env=dict(os.environ, AWS_ENDPOINT_URL=a.endpoint), capture_output=True, text=True,
        timeout=FOLLOW_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise BenchError(f"{a.checks} exited {done.returncode}:\n{done.stderr[-3000:]}")
    followed = {line["TaskId"]: line for line in map(json.loads, done.stdout.splitlines())}
    got = messages(aws, queue, len(tasks), time.time() + 60)
    results = []
    for t in tasks:
        task_id = t["TaskId"]
        described = aws["fsx"].describe_data_repository_tasks(TaskIds=[task_id])["DataRepositoryTasks"][0]
        if task_id not in got or task_id not in followed:
            raise BenchError(f"{task_id}: no message on the alarm topic")
        end = described["EndTime"]
        sent = parse_time(got[task_id]["Timestamp"])
        results.append({
            **t,
            "Lifecycle": described["Lifecycle"],
            "Created": described["CreationTime"].isoformat(),
            "Ended": end.isoformat(),
            "Message": got[task_id]["Timestamp"],
            "LatencySeconds": (sent - end).total_seconds(),
            "Checks": followed[task_id]["Checks"],
            "CheckMs": followed[task_id]["CheckMs"],
            "ReportInMessage": "3 failed file(s) in s3://" in got[task_id]["Message"],
        })
    load_after = os.getloadavg()[0]
    write_json(Path(a.json), {"date": date, "machine": machine(), "cap_minutes": a.cap, "task_seconds": a.task_seconds,
                        "wall_seconds": time.time() - started, "runs": results})
    print(report(date, a, results, load_before, load_after))
    return 0


def report(date, a, results, load_before, load_after) -> str:
    latency = stats([r["LatencySeconds"] for r in results])
    check_ms = stats([r["CheckMs"] for r in results])
    cap_s = a.cap * 60
    met = latency["max"] <= cap_s and all(r["ReportInMessage"] for r in results)
    rows = "\n".join(
        f"| {i + 1} | {r['ExpectedSeconds']} s | {r['Checks']} | {r['LatencySeconds']:.1f} s | {r['CheckMs']:.0f} ms |"
        for i, r in enumerate(results)
    )
    return f"""{HEADING}

{measured_on(date, machine())}; {load_average(load_before, load_after)}. {len(results)} runs, concurrently, on the local emulator (emulator/setup.sh, moto and the project's FSx extension), FollowUpCapMinutes {a.cap} (the default).

| measure | median | min–max | goal |
|---|---|---|---|
| a task's `EndTime` (FSx) to its alarm message's SNS `Timestamp` | {latency['median']:.1f} s | {latency['min']:.1f}–{latency['max']:.1f} s | ≤ the cap, {a.cap} min ({cap_s} s): {yes(met)} |
| the check that reported it (DescribeDataRepositoryTasks, ListTagsForResource, PutMetricData, GetObject of the report, SNS Publish, TagResource) | {check_ms['median']:.0f} ms | {check_ms['min']:.0f}–{check_ms['max']:.0f} ms | |

{table_head("run", "expected length (first wait)", "checks", "end → message", "last check")}
{rows}

Method (bench/alarm_bench.py, examples/follow_up_checks.rs):

- Each run has a file system of its own (FSx runs one task at a time on one) with an association /data → s3://{BUCKET}/bench-N/, and one export task of `data/partial-3`, which the emulator ends SUCCEEDED with 3 failed files {a.task_seconds:g} s after its creation (FSX_DRT_EMULATOR_TASK_SECONDS), writing its completion report to moto S3.
- The checks are the function's: examples/follow_up_checks.rs runs the function's handler (`Handler::check`, on SDK clients for the emulator) at the times the function's rule (`fsx_drt_core::followup`) sets: the first check after the task's expected length from its creation, then twice the wait, each wait from 1 minute to the cap. The expected length, which the function takes from the schedule's previous finished task, is set per run from {FIRST_EXPECTED_S} s in steps of {EXPECTED_STEP_S} s, so the checks meet the task's end at different moments, as real previous lengths over- and under-estimate the next.
- Where the function has EventBridge Scheduler invoke it at the next check's time (a one-time schedule), the example waits for that time itself: Scheduler's own delivery delay after a one-time schedule's time is not in these figures (README, "Tested against").
- The alarm topic's messages go to an SQS queue subscribed to it; each message is matched to its task by the task id in its subject, and each must summarise the completion report. Latency: the message's SNS `Timestamp` minus the task's `EndTime` as DescribeDataRepositoryTasks reports it. Raw measurements: target/bench/alarm.json.
"""


if __name__ == "__main__":
    run_main(main, "alarm_bench.py")

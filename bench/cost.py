"""What issue 13's extra invocations cost a month, for examples/schedules.yaml.

`cargo xtask bench cost` runs this and writes its section of BENCHMARKS.md. Nothing is
measured: the counts follow from the schedules and from the rules in core/src/deferral.rs
(tries back off 5, 10, 20, then every 30 minutes) and core/src/followup.rs (checks of a task
until it ends), the prices from AWS's published price pages (us-east-1, read 2026-11; the
free tiers are left out, so these are upper bounds). Standard library only.
"""

from __future__ import annotations

import argparse
import math

# Published prices, us-east-1, without free tiers.
SCHEDULER_PER_INVOCATION = 1.00 / 1_000_000  # EventBridge Scheduler: $1.00 per million invocations
LAMBDA_PER_REQUEST = 0.20 / 1_000_000  # Lambda: $0.20 per million requests
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334  # Lambda arm64: first tier, per GB-second
SNS_PER_PUBLISH = 0.50 / 1_000_000  # SNS standard topic: $0.50 per million requests
SNS_PER_EMAIL = 2.00 / 100_000  # SNS email delivery: $2.00 per 100,000
CLOUDWATCH_PER_PUT = 0.01 / 1_000  # CloudWatch API: PutMetricData, $0.01 per 1,000 requests
S3_PER_GET = 0.0004 / 1_000  # S3 Standard: GET, $0.0004 per 1,000 requests

MEMORY_GB = 128 / 1024  # the function's MemorySize
# Billed duration of one invocation: a few AWS API round trips (the local benchmark's 2.2 ms
# leaves them out); 1 s is a generous round figure.
SECONDS_PER_INVOCATION = 1.0

DAYS_PER_MONTH = 365.25 / 12

# examples/schedules.yaml: runs a month, and an assumed length of each task.
SCHEDULES = [
    # name, runs a month, task minutes
    ("morning-import (05:30 Mon-Fri)", DAYS_PER_MONTH * 5 / 7, 5),
    ("nightly-export (22:00 daily)", DAYS_PER_MONTH, 45),
    ("weekly-release (03:00 Sunday, After nightly-export)", DAYS_PER_MONTH / 7, 10),
]


def deferral_tries(minutes_busy: float) -> int:
    """Tries of a slot that finds the file system busy for `minutes_busy` (deferral.rs)."""
    waited, tries, attempt = 0.0, 0, 0
    while waited < minutes_busy:
        waited += min(5 << min(attempt, 3), 30)
        attempt += 1
        tries += 1
    return tries


def follow_up_checks(task_minutes: float, first: float, cap: float) -> int:
    """Checks of a task until it has ended: the first after `first` minutes, then doubling,
    at most `cap` apart (followup.rs)."""
    at, gap, checks = first, first, 1
    while at < task_minutes:
        gap = min(gap * 2, cap)
        at += gap
        checks += 1
    return checks


def invocation_cost() -> float:
    return (
        SCHEDULER_PER_INVOCATION
        + LAMBDA_PER_REQUEST
        + MEMORY_GB * SECONDS_PER_INVOCATION * LAMBDA_ARM_PER_GB_SECOND
    )


def section(first: float, cap: float, busy_minutes: float, failures: int) -> str:
    per_invocation = invocation_cost()
    rows = []
    total_invocations = 0.0
    for name, runs, minutes in SCHEDULES:
        checks = follow_up_checks(minutes, first, cap)
        tries = deferral_tries(busy_minutes)
        extra = runs * (checks + tries)
        total_invocations += extra
        rows.append(
            f"| {name} | {runs:.1f} | {minutes} min | {checks} | {tries} | {extra:.0f} | ${extra * per_invocation:.5f} |"
        )
    # A failed task's message: one PutMetricData (two datapoints in one request), one
    # report GET, one SNS publish and its email.
    failure_cost = failures * (CLOUDWATCH_PER_PUT + S3_PER_GET + SNS_PER_PUBLISH + SNS_PER_EMAIL)
    total = total_invocations * per_invocation + failure_cost
    lines = [
        "## Extra invocations and their cost (`cargo xtask bench cost`)",
        "",
        "Computed, not measured (bench/cost.py): what the follow-up checks and deferred tries of issue 13 add in a month for examples/schedules.yaml, at AWS's published us-east-1 prices without free tiers (EventBridge Scheduler $1.00 per million invocations; Lambda $0.20 per million requests and $0.0000133334 per GB-second on arm64, 128 MB billed "
        f"{SECONDS_PER_INVOCATION:.0f} s each; SNS $0.50 per million publishes and $2.00 per 100,000 emails; CloudWatch PutMetricData $0.01 per 1,000; S3 GET $0.0004 per 1,000). "
        f"Assumed: every run finds the file system busy for {busy_minutes:.0f} minutes (a pessimistic case; most find it free), follow-up checks {first:.0f} minutes after the task starts and then doubling up to every {cap:.0f} minutes, {failures} failed tasks a month.",
        "",
        "| schedule | runs a month | task length | checks per task | tries per run | extra invocations | cost |",
        "|---|---|---|---|---|---|---|",
        *rows,
        f"| **all three**, plus {failures} failure messages | | | | | **{total_invocations:.0f}** | **${total:.4f} a month** |",
        "",
        f"One extra invocation costs ${per_invocation * 1_000_000:.2f} per million. The free tiers (14 million Scheduler invocations, 1 million Lambda requests and 400,000 GB-seconds a month) cover all of it for one stack.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--first-check-minutes", type=float, default=2.0)
    parser.add_argument("--check-cap-minutes", type=float, default=5.0)
    parser.add_argument("--busy-minutes", type=float, default=30.0)
    parser.add_argument("--failures", type=int, default=4)
    args = parser.parse_args()
    print(section(args.first_check_minutes, args.check_cap_minutes, args.busy_minutes, args.failures))


if __name__ == "__main__":
    main()

"""Settings read from the server's environment, and the FSx constants the rules use."""

from __future__ import annotations

import os
import re
from uuid import uuid4

ENV_PENDING_SECONDS = "FSX_DRT_EMULATOR_PENDING_SECONDS"
ENV_TASK_SECONDS = "FSX_DRT_EMULATOR_TASK_SECONDS"
ENV_CANCEL_SECONDS = "FSX_DRT_EMULATOR_CANCEL_SECONDS"
ENV_STATUS_REFRESH_SECONDS = "FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS"

DEFAULT_PENDING_SECONDS = 1.0
DEFAULT_TASK_SECONDS = 3.0
DEFAULT_CANCEL_SECONDS = 1.0
#: FSx refreshes a running task's Status about every 30 s (REFERENCE.md, "Other FSx calls").
DEFAULT_STATUS_REFRESH_SECONDS = 30.0

#: A task whose Paths contain this (case-insensitively) ends FAILED.
FAIL_MARKER = "fail"
#: A task with a path containing "partial" or "partial-N" (N files, default 3) ends SUCCEEDED
#: with that many failed files (and 10 that succeeded) listed in its completion report.
PARTIAL_MARKER = re.compile(r"partial(?:-(\d+))?", re.IGNORECASE)
DEFAULT_PARTIAL_FAILURES = 3
PARTIAL_SUCCEEDED = 10
#: Error codes the FSx for Lustre user guide shows in a completion report.
REPORT_ERROR_CODES = ("FileSizeTooLarge", "S3AccessDenied")

TASK_TYPES = (
    "EXPORT_TO_REPOSITORY",
    "IMPORT_METADATA_FROM_REPOSITORY",
    "RELEASE_DATA_FROM_FILESYSTEM",
    "AUTO_RELEASE_DATA",
)
TASK_LIFECYCLES = ("PENDING", "EXECUTING", "FAILED", "SUCCEEDED", "CANCELED", "CANCELING")
#: Lifecycles that block a new task on the same file system.
RUNNING_LIFECYCLES = ("PENDING", "EXECUTING", "CANCELING")
ENDED_LIFECYCLES = ("FAILED", "SUCCEEDED", "CANCELED")
DRA_LIFECYCLES = ("CREATING", "AVAILABLE", "MISCONFIGURED", "UPDATING", "DELETING", "FAILED")
TASK_FILTER_NAMES = ("file-system-id", "task-lifecycle", "data-repository-association-id", "file-cache-id")
DRA_FILTER_NAMES = ("file-system-id", "data-repository-type", "file-cache-id")
MAX_TASK_PATHS = 100
MAX_ASSOCIATIONS_PER_FILE_SYSTEM = 8


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:  # a typo should not silently mean "default"
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from exc
    return max(0.0, value)


def task_durations() -> tuple[float, float, float]:
    """(pending, total until the end state, canceling) in seconds, from the environment."""
    pending = _env_seconds(ENV_PENDING_SECONDS, DEFAULT_PENDING_SECONDS)
    total = max(pending, _env_seconds(ENV_TASK_SECONDS, DEFAULT_TASK_SECONDS))
    cancel = _env_seconds(ENV_CANCEL_SECONDS, DEFAULT_CANCEL_SECONDS)
    return pending, total, cancel


def status_refresh_seconds() -> float:
    """How often a running task's Status is refreshed (0: on every read), from the environment."""
    return _env_seconds(ENV_STATUS_REFRESH_SECONDS, DEFAULT_STATUS_REFRESH_SECONDS)


def hex_id(prefix: str, digits: int = 17) -> str:
    return f"{prefix}-{uuid4().hex[:digits]}"

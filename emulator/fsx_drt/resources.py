"""The resources the backend keeps: data repository associations and tasks."""

from __future__ import annotations

import csv
import io
import math
import time
from typing import TYPE_CHECKING, Any

from .config import (
    DEFAULT_PARTIAL_FAILURES,
    ENDED_LIFECYCLES,
    FAIL_MARKER,
    PARTIAL_MARKER,
    PARTIAL_SUCCEEDED,
    REPORT_ERROR_CODES,
    hex_id,
    status_refresh_seconds,
    task_durations,
)
from .exceptions import DataRepositoryTaskEnded
from .rules import invalid_task_paths

if TYPE_CHECKING:
    from .models import FSxDrtBackend


class FSxResource:
    """What associations and tasks share: backend, file system, creation time, ResourceARN and tags.

    ``resource`` is the ARN's resource part (``task/ID``); the tags given at creation go on
    the ARN in the backend's tagger (TagResource and ListTagsForResource see them).
    """

    def __init__(
        self,
        backend: FSxDrtBackend,
        file_system_id: str,
        creation_time: float,
        resource: str,
        tags: list[dict[str, str]] | None,
    ) -> None:
        self.backend = backend
        self.file_system_id = file_system_id
        self.creation_time = creation_time
        self.resource_arn = f"arn:{backend.partition}:fsx:{backend.region_name}:{backend.account_id}:{resource}"
        if tags:
            backend.tagger.tag_resource(self.resource_arn, tags)


class DataRepositoryAssociation(FSxResource):
    """An FSx for Lustre data repository association (S3 only)."""

    def __init__(
        self,
        backend: FSxDrtBackend,
        file_system_id: str,
        file_system_path: str,
        data_repository_path: str,
        lifecycle: str = "AVAILABLE",
        batch_import_meta_data_on_create: bool = False,
        imported_file_chunk_size: int = 1024,
        s3: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        failure_message: str | None = None,
        association_id: str | None = None,
    ) -> None:
        self.association_id = association_id or hex_id("dra")
        super().__init__(backend, file_system_id, time.time(), f"association/{file_system_id}/{self.association_id}", tags)
        self.file_system_path = file_system_path
        self.data_repository_path = data_repository_path
        self.lifecycle = lifecycle
        self.batch_import_meta_data_on_create = batch_import_meta_data_on_create
        self.imported_file_chunk_size = imported_file_chunk_size
        self.s3 = s3
        self.failure_message = failure_message
        # DescribeDataRepositoryAssociations' data-repository-type filter (S3 | NFS).
        self.data_repository_type = "S3"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "AssociationId": self.association_id,
            "ResourceARN": self.resource_arn,
            "FileSystemId": self.file_system_id,
            "Lifecycle": self.lifecycle,
            "FileSystemPath": self.file_system_path,
            "DataRepositoryPath": self.data_repository_path,
            "BatchImportMetaDataOnCreate": self.batch_import_meta_data_on_create,
            "ImportedFileChunkSize": self.imported_file_chunk_size,
            "CreationTime": self.creation_time,
        }
        if self.s3:
            d["S3"] = self.s3
        if self.failure_message:
            d["FailureDetails"] = {"Message": self.failure_message}
        tags = self.backend.list_tags_for_resource(self.resource_arn)
        if tags:
            d["Tags"] = tags
        return d


class DataRepositoryTask(FSxResource):
    """A data repository task whose lifecycle follows the clock (see module doc)."""

    def __init__(
        self,
        backend: FSxDrtBackend,
        task_type: str,
        file_system_id: str,
        paths: list[str],
        report: dict[str, Any],
        tags: list[dict[str, str]] | None,
        capacity_to_release: int | None,
        release_configuration: dict[str, Any] | None,
        now: float,
    ) -> None:
        self.task_id = hex_id("task")
        super().__init__(backend, file_system_id, now, f"task/{self.task_id}", tags)
        self.task_type = task_type
        self.paths = paths
        self.report = report
        self.capacity_to_release = capacity_to_release
        self.release_configuration = release_configuration
        self.pending_seconds, self.total_seconds, self.cancel_seconds = task_durations()
        self.status_refresh_seconds = status_refresh_seconds()
        self.invalid_paths = invalid_task_paths(task_type, paths)
        self.will_fail = bool(self.invalid_paths) or any(FAIL_MARKER in p.lower() for p in paths)
        self.cancel_requested_at: float | None = None
        self.failed_files, self.succeeded_files = self._file_outcomes()
        self.report_delivered = False

    def _file_outcomes(self) -> tuple[list[tuple[str, str]], int]:
        """(failed files as (FilePath, ErrorCode), count of succeeded files) once the task ends."""
        if self.invalid_paths:
            return [], 0
        failing = [p for p in self.paths if FAIL_MARKER in p.lower()]
        if failing:
            return [(f"{failing[0].rstrip('/')}/file-000.dat", REPORT_ERROR_CODES[1])], 0
        for path in self.paths:
            match = PARTIAL_MARKER.search(path)
            if match:
                count = int(match.group(1)) if match.group(1) else DEFAULT_PARTIAL_FAILURES
                base = path.rstrip("/")
                # Every other name holds a comma and quotes, and one starts with "@", so that
                # the report shows the documented RFC 4180 encoding.
                names = [
                    f'file-{i:03},"{i}".dat' if i % 2 else (f"@file-{i:03}.dat" if i == 2 else f"file-{i:03}.dat")
                    for i in range(count)
                ]
                return [
                    (f"{base}/{name}", REPORT_ERROR_CODES[i % len(REPORT_ERROR_CODES)])
                    for i, name in enumerate(names)
                ], PARTIAL_SUCCEEDED
        return [], 0

    # Times -----------------------------------------------------------------
    @property
    def start_time(self) -> float:
        return self.creation_time + self.pending_seconds

    @property
    def natural_end_time(self) -> float:
        return self.creation_time + self.total_seconds

    def lifecycle_at(self, now: float) -> str:
        if self.cancel_requested_at is not None:
            if now < self.cancel_requested_at + self.cancel_seconds:
                return "CANCELING"
            return "CANCELED"
        if now < self.start_time:
            return "PENDING"
        if now < self.natural_end_time:
            return "EXECUTING"
        return "FAILED" if self.will_fail else "SUCCEEDED"

    def end_time_at(self, now: float) -> float | None:
        lifecycle = self.lifecycle_at(now)
        if lifecycle == "CANCELED":
            assert self.cancel_requested_at is not None
            return self.cancel_requested_at + self.cancel_seconds
        if lifecycle in ("SUCCEEDED", "FAILED"):
            return self.natural_end_time
        return None

    def cancel(self, now: float) -> str:
        lifecycle = self.lifecycle_at(now)
        if lifecycle in ENDED_LIFECYCLES:
            raise DataRepositoryTaskEnded(self.task_id, lifecycle)
        if self.cancel_requested_at is None:
            self.cancel_requested_at = now
        return "CANCELING"

    # Serialisation -----------------------------------------------------------
    def to_dict(self, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        lifecycle = self.lifecycle_at(now)
        end_time = self.end_time_at(now)
        d: dict[str, Any] = {
            "TaskId": self.task_id,
            "Lifecycle": lifecycle,
            "Type": self.task_type,
            "CreationTime": self.creation_time,
            "ResourceARN": self.resource_arn,
            "FileSystemId": self.file_system_id,
            "Paths": self.paths,
            "Report": self.report,
        }
        started = now >= self.start_time and (
            self.cancel_requested_at is None or self.cancel_requested_at >= self.start_time
        )
        if started:
            d["StartTime"] = self.start_time
        if end_time is not None:
            d["EndTime"] = end_time
        if end_time is not None:
            # The counts are final as the lifecycle ends: FSx's own completion moment is
            # when it has counted the last file, so EndTime and the final Status agree.
            ended = lifecycle in ("SUCCEEDED", "FAILED")
            failed = len(self.failed_files) if ended else 0
            succeeded = self.succeeded_files if ended else 0
            d["Status"] = {
                "TotalCount": failed + succeeded,
                "SucceededCount": succeeded,
                "FailedCount": failed,
                "LastUpdatedTime": end_time,
            }
        elif started:
            # Running: the counts as of FSx's last refresh (about every 30 s), not of this read.
            d["Status"] = {
                "TotalCount": 0,
                "SucceededCount": 0,
                "FailedCount": 0,
                "LastUpdatedTime": self.status_refreshed_at(now),
            }
        if lifecycle == "FAILED":
            d["FailureDetails"] = {"Message": self.failure_message()}
        if self.capacity_to_release is not None:
            d["CapacityToRelease"] = self.capacity_to_release
        if self.release_configuration is not None:
            d["ReleaseConfiguration"] = self.release_configuration
        # No "Tags": the DataRepositoryTask shape has the member, but nothing documents FSx
        # filling it in (REFERENCE.md, audit); the tags are the task ARN's, see
        # ListTagsForResource.
        return d

    def status_refreshed_at(self, now: float) -> float:
        """The last Status refresh of a running task: StartTime + a whole number of periods."""
        period = self.status_refresh_seconds
        if period <= 0 or now <= self.start_time:
            return now if period <= 0 else self.start_time
        return self.start_time + math.floor((now - self.start_time) / period) * period

    def report_object(self) -> tuple[str, str] | None:
        """(bucket, key) FSx writes the completion report to, when the task has one.

        CompletionReport.Format: "delivered to {path}/task-{id}/failures.csv", {id} read as
        the hex part of the TaskId (task-...); the user guide names the file report.csv for
        import tasks. The same rule as fsx_drt_core::report.
        """
        if not self.report.get("Enabled") or not self.failed_files:
            return None
        bucket, _, prefix = self.report["Path"].removeprefix("s3://").partition("/")
        name = "report.csv" if self.task_type == "IMPORT_METADATA_FROM_REPOSITORY" else "failures.csv"
        folder = "/".join(part for part in (prefix.strip("/"), self.task_id) if part)
        return bucket, f"{folder}/{name}"

    def report_csv(self) -> bytes:
        """The report as the user guide documents it: FilePath,FileStatus,ErrorCode, no
        header, RFC 4180; a path starting with @ + - = quoted once more."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for path, code in self.failed_files:
            if path[:1] in ("@", "+", "-", "="):
                path = f'"{path}"'
            writer.writerow([path, "failed", code])
        return out.getvalue().encode()

    def deliver_report(self, now: float) -> None:
        """Writes the report into the bucket (moto S3) once the task has ended, on the first
        read that sees it ended; a bucket that does not exist gets none."""
        if self.report_delivered or self.lifecycle_at(now) not in ("SUCCEEDED", "FAILED"):
            return
        self.report_delivered = True
        target = self.report_object()
        if target is None:
            return
        from moto.s3.models import s3_backends

        s3 = s3_backends[self.backend.account_id][self.backend.partition]
        bucket, key = target
        if bucket in s3.buckets:
            s3.put_object(bucket, key, self.report_csv())

    def failure_message(self) -> str:
        if self.invalid_paths:
            # CreateDataRepositoryTask's Paths: "If a path that you provide isn't valid, the
            # task fails." The wording of FSx's message is not documented.
            if self.task_type == "IMPORT_METADATA_FROM_REPOSITORY":
                rule = "import paths must be S3 paths of the form s3://bucket-name/prefix"
            else:
                rule = (
                    "paths must be relative to the mount point of the file system "
                    "(path1 for /mnt/fsx/path1)"
                )
                if self.task_type == "RELEASE_DATA_FROM_FILESYSTEM":
                    rule += "; only a forward slash (/) alone stands for the whole file system"
            return f"Invalid path(s) for {self.task_type}: {', '.join(self.invalid_paths)}: {rule}."
        bad = [p for p in self.paths if FAIL_MARKER in p.lower()]
        return f"1 file(s) failed to process for path {bad[0]!r}; see the task completion report for details."

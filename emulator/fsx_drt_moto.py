"""fsx-drt's extension of moto's FSx backend.

moto (pinned in emulator/requirements.txt) implements FSx file systems and
backups only. fsx-drt also needs data repository associations (DRAs) and data
repository tasks (DRTs), so this module adds, following moto's own split into a
backend (state + rules) and a response class (JSON in, JSON out):

  * CreateDataRepositoryAssociation / DescribeDataRepositoryAssociations,
    plus ``FSxDrtBackend.seed_association`` to put an association in any
    lifecycle state (also reachable over HTTP, see emulator/server.py);
  * CreateDataRepositoryTask / DescribeDataRepositoryTasks /
    CancelDataRepositoryTask, with a lifecycle driven by wall-clock time;
  * small fixes to moto's file systems: ids are ``fs-`` + 17 hex digits as
    in FSx (moto makes 8), ``Lifecycle: AVAILABLE``, ``CreationTime``,
    ``OwnerId`` and ``FileSystemTypeVersion`` in responses,
    DescribeFileSystems with an unknown id fails with FileSystemNotFound, a
    Lustre
    ``ImportPath``/``ExportPath`` turned into the
    ``LustreConfiguration.DataRepositoryConfiguration`` that FSx returns; a
    file system with PENDING/EXECUTING/CANCELING tasks cannot be deleted;
    a Lustre file system keeps FileSystemTypeVersion (2.10, 2.12, 2.15),
    LustreConfiguration.DeploymentType and StorageType (SSD, HDD,
    INTELLIGENT_TIERING) with CreateFileSystem's documented defaults and
    combinations (see ``_lustre_version_and_storage``);
  * tags of tasks and associations on their ResourceARN (TagResource,
    UntagResource, ListTagsForResource; ResourceNotFound for an unknown one);
  * automatic export that can be marked running per file system
    (``FSxDrtBackend.set_auto_export_running``, over HTTP too).

How it hooks into moto (call ``install()`` once, before the first request):

  * ``FSxDrtBackend`` subclasses ``moto.fsx.models.FSxBackend``; ``install()``
    makes ``moto.fsx.models.fsx_backends`` (the BackendDict that every moto
    entry point -- server, decorators, CloudFormation, tagging API -- uses)
    build ``FSxDrtBackend`` instances, and upgrades any already built.
  * ``FSxDrtResponse`` subclasses ``moto.fsx.responses.FSxResponse``; the
    backend's ``_url_module`` points moto's URL table at its ``dispatch``.
    moto derives the action from ``X-Amz-Target``
    (``AWSSimbaAPIService_v20180301.CreateDataRepositoryTask`` ->
    ``create_data_repository_task``), so a new operation is one new method.
  * Errors are ``JsonRESTError`` subclasses, as in ``moto.fsx.exceptions``;
    they serialise as HTTP 400 with ``X-Amzn-ErrorType`` and a JSON body
    ``{"__type": "<ShapeName>", "message": ..., "Message": ...}``, which the
    AWS SDKs map to the modelled error (``Message`` is the member name in
    the FSx model; moto itself writes ``message``, so both are sent).
  * The new model classes are plain classes, not moto ``BaseModel``s:
    BaseModel's metaclass derives the service name from the defining module
    (``moto.<service>.models``) and would fail here. Their only loss is not
    being listed by ``/moto-api/data.json``.

Fragility: this relies on moto internals that are stable across 5.x but not
a public API -- ``BackendDict.backend`` / ``AccountSpecificBackend.backend``,
``BaseBackend._url_module``, ``FSxBackend.file_systems`` / ``tagger``, the
``FileSystem`` attribute names and ``BaseResponse`` (``self.body``,
``self.region``, ``self.current_account``). ``install()`` checks the ones it
touches and fails loudly if they move. If moto ever implements these FSx
operations itself, these methods still take precedence (they override).

Task lifecycle (computed from the time elapsed since CreateDataRepositoryTask,
so there is no background thread; durations are read from the environment of
the *server* process when each task is created, floats allowed):

  PENDING    from creation until FSX_DRT_EMULATOR_PENDING_SECONDS (default 1)
  EXECUTING  until FSX_DRT_EMULATOR_TASK_SECONDS after creation (default 3)
  SUCCEEDED  afterwards; Status {TotalCount, SucceededCount, FailedCount} all 0
  FAILED     instead of SUCCEEDED when any of the task's Paths contains
             "fail" (any case, e.g. "exports/fail-me" or
             "s3://bucket/fail/"): FailureDetails.Message is set and
             Status is TotalCount 1, FailedCount 1;
             or when a path is not valid for the task's type (counts 0):
             export paths must be relative to the mount point ("path1",
             not "/path1" nor "/"), release paths too except "/" alone
             (documented as "release all exported files"), import paths
             must be s3:// paths. The model's Paths doc: "If a path that
             you provide isn't valid, the task fails" -- the call succeeds.
  CANCELING  after CancelDataRepositoryTask, for FSX_DRT_EMULATOR_CANCEL_SECONDS
             (default 1), then CANCELED (EndTime set)

StartTime appears with EXECUTING, EndTime with the end state, Status (with
LastUpdatedTime) from EXECUTING on. Real FSx refreshes a running task's Status
only about every 30 s, so the emulator does too: while the task runs, Status
is the one of the last refresh, at StartTime + a whole number of
FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS (default 30; 0 = on every read, the
old behaviour). When the lifecycle ends, Status is final at once
(LastUpdatedTime = EndTime): FSx ends a task when it has counted its last
file, so a client reading a SUCCEEDED/FAILED task sees its final counts
(an assumption: AWS documents only that "When the task is complete,
TotalCount equals the sum of SucceededCount plus FailedCount").

Rules enforced by CreateDataRepositoryTask (in this order):
  BadRequest                 Type/FileSystemId/Report missing or invalid,
                             Report.Enabled without Report.Path, >100 Paths,
                             a path with NUL/CR/LF/U+0085/U+2028/U+2029,
                             AUTO_RELEASE_DATA (File Cache only)
  FileSystemNotFound         unknown FileSystemId
  UnsupportedOperation       the file system is not LUSTRE; a
                             RELEASE_DATA_FROM_FILESYSTEM task on Lustre 2.10
                             (release tasks need 2.12+; the resource lacks
                             the operation, the request is well formed)
  BadRequest                 no data repository is linked (no association,
                             no ImportPath/ExportPath: "A
                             CreateDataRepositoryTask operation will fail if a
                             data repository is not linked"); Report.Enabled
                             with a Report.Path outside every association's
                             DataRepositoryPath and the linked ExportPath
                             (CompletionReport.Path doc: "must be within the
                             Amazon S3 location that the file system is
                             linked to"; component-wise prefix, any
                             association lifecycle)
  IncompatibleParameterError a ClientRequestToken already used with
                             different parameters (same token and same
                             parameters return the original task, whatever
                             its state now; tokens are remembered until reset)
  DataRepositoryTaskExecuting another task of the file system is PENDING,
                             EXECUTING or CANCELING (CANCELING too: FSx still
                             finishes in-flight files); or, for an
                             EXPORT_TO_REPOSITORY task, automatic export is
                             marked running on the file system (FSx for
                             Lustre guide: "Automatic export and export data
                             repository tasks cannot run at the same time";
                             AWS documents no error for it: this is the
                             model's error closest to "wait until the running
                             work completes", an assumption)

Invalid Paths are not refused here: the task is created and ends FAILED
(see the lifecycle above).

DescribeDataRepositoryTasks returns newest first (CreationTime descending);
the order real FSx uses is not documented. Unknown TaskIds give
DataRepositoryTaskNotFound; a file-system-id filter naming an unknown file
system gives FileSystemNotFound (both are in the model's error list; the exact
real behaviour is not documented). The data-repository-association-id filter
matches tasks of the association's file system whose Paths fall under the
association's FileSystemPath (export/release) or DataRepositoryPath (import),
or that have no Paths. Default page size: 50 tasks, 25 associations.
"""

from __future__ import annotations

import base64
import json
import math
import os
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import moto.fsx.models as moto_fsx_models
import moto.fsx.urls as moto_fsx_urls
from moto.core.exceptions import InvalidToken, JsonRESTError
from moto.core.resource_tagging import TaggedResource
from moto.fsx.models import FSxBackend
from moto.fsx.responses import FSxResponse
from moto.utilities.paginator import paginate

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

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
DEFAULT_TASK_PAGE_SIZE = 50
DEFAULT_DRA_PAGE_SIZE = 25
_FORBIDDEN_PATH_CHARS = ("\u0000", "\u0085", "\u2028", "\u2029", "\r", "\n")


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


def _hex_id(prefix: str, digits: int = 17) -> str:
    return f"{prefix}-{uuid4().hex[:digits]}"


# --------------------------------------------------------------------------
# Errors (FSx's modelled exceptions; HTTP 400, awsJson1_1 error body)
# --------------------------------------------------------------------------


class FSxDrtError(JsonRESTError):
    """A modelled FSx error: ``__type`` is the shape name, ``Message`` its member."""

    code = 400
    error_name = "BadRequest"

    def __init__(self, message: str, **extra_members: Any) -> None:
        super().__init__(self.error_name, message)
        body = {"__type": self.error_name, "message": message, "Message": message}
        body.update(extra_members)
        self.description = json.dumps(body)


class BadRequest(FSxDrtError):
    error_name = "BadRequest"


class FileSystemNotFound(FSxDrtError):
    error_name = "FileSystemNotFound"

    def __init__(self, file_system_id: str) -> None:
        # Same text as moto.fsx.exceptions.FileSystemNotFound.
        super().__init__(f"File system '{file_system_id}' does not exist.")


class UnsupportedOperation(FSxDrtError):
    error_name = "UnsupportedOperation"


class IncompatibleParameterError(FSxDrtError):
    error_name = "IncompatibleParameterError"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, Parameter=parameter)


class DataRepositoryTaskExecuting(FSxDrtError):
    error_name = "DataRepositoryTaskExecuting"

    def __init__(self, file_system_id: str, task_id: str) -> None:
        super().__init__(
            f"An existing data repository task ({task_id}) is currently executing on "
            f"the file system {file_system_id}; wait until it completes, then create "
            "the new task."
        )


class AutoExportRunning(DataRepositoryTaskExecuting):
    """An EXPORT task while automatic export runs (see the module doc for why this error)."""

    def __init__(self, file_system_id: str, association_ids: list[str]) -> None:
        FSxDrtError.__init__(
            self,
            f"Automatic export is currently running on the file system {file_system_id} "
            f"(data repository association {', '.join(association_ids)}); automatic export "
            "and export data repository tasks cannot run at the same time. Wait until it "
            "completes, then create the new task.",
        )


class ResourceNotFound(FSxDrtError):
    error_name = "ResourceNotFound"

    def __init__(self, resource_arn: str) -> None:
        super().__init__(f"The resource {resource_arn} does not exist.", ResourceARN=resource_arn)


class DataRepositoryTaskEnded(FSxDrtError):
    error_name = "DataRepositoryTaskEnded"

    def __init__(self, task_id: str, lifecycle: str) -> None:
        super().__init__(
            f"The data repository task {task_id} could not be canceled because the "
            f"task has already ended ({lifecycle})."
        )


class DataRepositoryTaskNotFound(FSxDrtError):
    error_name = "DataRepositoryTaskNotFound"

    def __init__(self, task_ids: list[str]) -> None:
        super().__init__(
            f"The data repository task or tasks you specified could not be found: {', '.join(task_ids)}"
        )


class DataRepositoryAssociationNotFound(FSxDrtError):
    error_name = "DataRepositoryAssociationNotFound"

    def __init__(self, association_ids: list[str]) -> None:
        super().__init__(
            f"The data repository association or associations you specified could not be found: {', '.join(association_ids)}"
        )


class InvalidNextToken(BadRequest):
    """moto's paginator raises this (with the token) for a NextToken it cannot use."""

    def __init__(self, token: Any = None) -> None:
        super().__init__("The NextToken provided is invalid.")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _fingerprint(params: dict[str, Any]) -> str:
    """Canonical form of a request's parameters, for ClientRequestToken checks."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def _path_under(path: str, prefix: str) -> bool:
    """Component-wise prefix test: ``/data`` covers ``/data/x`` but not ``/database``."""
    path = "/" + path.strip("/")
    prefix = "/" + prefix.strip("/")
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def _s3_under(path: str, prefix: str) -> bool:
    path = path.rstrip("/") + "/"
    prefix = prefix.rstrip("/") + "/"
    return path.startswith(prefix)


def _validate_paths(paths: Any, what: str) -> list[str]:
    if paths is None:
        return []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise BadRequest(f"{what} must be a list of strings.")
    if len(paths) > MAX_TASK_PATHS:
        raise BadRequest(f"{what} can contain at most {MAX_TASK_PATHS} paths; got {len(paths)}.")
    for p in paths:
        if len(p) > 4096:
            raise BadRequest(f"A path in {what} is longer than 4096 characters.")
        if any(c in p for c in _FORBIDDEN_PATH_CHARS):
            raise BadRequest(f"A path in {what} contains a forbidden character: {p!r}")
    return list(paths)


def _invalid_task_paths(task_type: str, paths: list[str]) -> list[str]:
    """The Paths the task will fail on, per the CreateDataRepositoryTask model's Paths doc.

    Export: "The paths you provide need to be relative to the mount point of the file
    system. If the mount point is /mnt/fsx and /mnt/fsx/path1 is a directory or file on
    the file system you want to export, then the path to provide is path1." So a leading
    "/" is invalid, "/" alone too: the doc gives it a meaning only for release (omit Paths
    to export the root directory, "The default path is the file system root directory").
    Release: "To release all exported files in the file system, specify a forward slash
    (/) as the path." -- "/" alone is valid, any other path is relative as for export.
    Import: "The path can be an S3 bucket or prefix in the format s3://bucket-name/prefix".
    """
    if task_type == "IMPORT_METADATA_FROM_REPOSITORY":
        return [p for p in paths if not p.startswith("s3://")]
    if task_type == "RELEASE_DATA_FROM_FILESYSTEM":
        return [p for p in paths if p.startswith("/") and p != "/"]
    if task_type == "EXPORT_TO_REPOSITORY":
        return [p for p in paths if p.startswith("/")]
    return []


def _filters_to_dict(filters: Any, allowed: tuple[str, ...], max_filters: int) -> dict[str, list[str]]:
    if not filters:
        return {}
    if not isinstance(filters, list) or len(filters) > max_filters:
        raise BadRequest(f"Filters must be a list of at most {max_filters} filters.")
    out: dict[str, list[str]] = {}
    for f in filters:
        name = (f or {}).get("Name")
        values = (f or {}).get("Values") or []
        if name not in allowed:
            raise BadRequest(f"Invalid filter name {name!r}; valid names: {', '.join(allowed)}.")
        out.setdefault(name, []).extend(values)
    return out


def _check_max_results(value: Any, maximum: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise BadRequest(f"MaxResults must be an integer from 1 to {maximum}; got {value!r}.")


LUSTRE_VERSIONS = ("2.10", "2.12", "2.15")


def _lustre_version_and_storage(lustre: dict[str, Any], version: Any, storage_type: Any) -> tuple[str, str]:
    """FileSystemTypeVersion and StorageType of a new Lustre file system, as CreateFileSystem
    documents them; sets LustreConfiguration.DeploymentType's default in ``lustre``.

    CreateFileSystem's FileSystemTypeVersion: "Valid values are 2.10, 2.12, and 2.15: 2.10 is
    supported by the Scratch and Persistent_1 Lustre deployment types. [...] Default value is
    2.10, except [...] 2.12 when DeploymentType is set to PERSISTENT_2 without a metadata
    configuration mode [and] 2.15 when DeploymentType is set to PERSISTENT_2 with a metadata
    configuration mode." StorageType: "Default value is SSD"; HDD "is supported [...] on
    PERSISTENT_1 Lustre file system deployment types"; "Intelligent-Tiering is only available
    [...] for Lustre file systems with the Persistent_2 deployment type." DeploymentType:
    "The default is SCRATCH_1." Breaking a rule is a BadRequest (the model's generic client
    error; which code FSx uses for each is not documented).
    """
    deployment = lustre.setdefault("DeploymentType", "SCRATCH_1")
    if version is None:
        if deployment == "PERSISTENT_2":
            version = "2.15" if lustre.get("MetadataConfiguration") else "2.12"
        else:
            version = "2.10"
    if version not in LUSTRE_VERSIONS:
        raise BadRequest(f"Invalid FileSystemTypeVersion {version!r} for Lustre; valid: {', '.join(LUSTRE_VERSIONS)}.")
    if version == "2.10" and deployment == "PERSISTENT_2":
        raise BadRequest("Lustre version 2.10 is supported only by the SCRATCH_1, SCRATCH_2 and PERSISTENT_1 deployment types.")
    storage_type = storage_type or "SSD"
    if storage_type == "HDD" and deployment != "PERSISTENT_1":
        raise BadRequest("HDD storage is supported only by the PERSISTENT_1 Lustre deployment type.")
    if storage_type == "INTELLIGENT_TIERING" and deployment != "PERSISTENT_2":
        raise BadRequest("INTELLIGENT_TIERING storage is supported only by the PERSISTENT_2 Lustre deployment type.")
    return version, storage_type


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class DataRepositoryAssociation:
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
        self.backend = backend
        self.association_id = association_id or _hex_id("dra")
        self.file_system_id = file_system_id
        self.file_system_path = file_system_path
        self.data_repository_path = data_repository_path
        self.lifecycle = lifecycle
        self.batch_import_meta_data_on_create = batch_import_meta_data_on_create
        self.imported_file_chunk_size = imported_file_chunk_size
        self.s3 = s3
        self.failure_message = failure_message
        self.creation_time = time.time()
        self.resource_arn = (
            f"arn:{backend.partition}:fsx:{backend.region_name}:{backend.account_id}:"
            f"association/{file_system_id}/{self.association_id}"
        )
        # DescribeDataRepositoryAssociations' data-repository-type filter (S3 | NFS).
        self.data_repository_type = "S3"
        if tags:
            backend.tagger.tag_resource(self.resource_arn, tags)

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


class DataRepositoryTask:
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
        self.backend = backend
        self.task_id = _hex_id("task")
        self.task_type = task_type
        self.file_system_id = file_system_id
        self.paths = paths
        self.report = report
        self.capacity_to_release = capacity_to_release
        self.release_configuration = release_configuration
        self.creation_time = now
        self.pending_seconds, self.total_seconds, self.cancel_seconds = task_durations()
        self.status_refresh_seconds = status_refresh_seconds()
        self.invalid_paths = _invalid_task_paths(task_type, paths)
        self.will_fail = bool(self.invalid_paths) or any(FAIL_MARKER in p.lower() for p in paths)
        self.cancel_requested_at: float | None = None
        self.resource_arn = (
            f"arn:{backend.partition}:fsx:{backend.region_name}:{backend.account_id}:task/{self.task_id}"
        )
        if tags:
            backend.tagger.tag_resource(self.resource_arn, tags)

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
            failed = 1 if lifecycle == "FAILED" and not self.invalid_paths else 0
            d["Status"] = {
                "TotalCount": failed,
                "SucceededCount": 0,
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


# --------------------------------------------------------------------------
# Backend
# --------------------------------------------------------------------------

PAGINATION_MODEL = {
    "describe_data_repository_associations": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": DEFAULT_DRA_PAGE_SIZE,
        "unique_attribute": "association_id",
        "fail_on_invalid_token": InvalidNextToken,
    },
}


class FSxDrtBackend(FSxBackend):
    """moto's FSxBackend plus data repository associations and tasks."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self._init_drt_state()

    def _init_drt_state(self) -> None:
        self.drt_lock = threading.RLock()
        self.associations: dict[str, DataRepositoryAssociation] = {}
        self.data_repository_tasks: dict[str, DataRepositoryTask] = {}
        # ClientRequestToken -> (parameter fingerprint, resource), per operation.
        self.task_tokens: dict[str, tuple[str, DataRepositoryTask]] = {}
        self.association_tokens: dict[str, tuple[str, DataRepositoryAssociation]] = {}
        # File systems on which automatic export runs (POST /__fsx_drt_emulator/auto-export).
        self.auto_export_running: set[str] = set()
        # file system id -> {"Lifecycle", "CreationTime", "OwnerId", "FileSystemTypeVersion"}
        self.file_system_extras: dict[str, dict[str, Any]] = {}

    @property
    def _url_module(self) -> Any:
        # BaseBackend derives "<module>.urls" from the class's module; ours is
        # not moto.fsx, so hand moto the FSx URL table bound to our responses.
        return SimpleNamespace(
            url_bases=moto_fsx_urls.url_bases,
            url_paths={path: FSxDrtResponse.dispatch for path in moto_fsx_urls.url_paths},
        )

    # File systems ------------------------------------------------------------
    def _get_file_system(self, file_system_id: Any) -> Any:
        if not isinstance(file_system_id, str) or file_system_id not in self.file_systems:
            raise FileSystemNotFound(str(file_system_id))
        return self.file_systems[file_system_id]

    def create_file_system(self, **kwargs: Any) -> Any:  # type: ignore[override]
        lustre = kwargs.get("lustre_configuration")
        version = kwargs.get("file_system_type_version")
        if kwargs.get("file_system_type") == "LUSTRE":
            lustre = dict(lustre or {})
            version, kwargs["storage_type"] = _lustre_version_and_storage(
                lustre, version, kwargs.get("storage_type")
            )
            import_path = lustre.pop("ImportPath", None)
            export_path = lustre.pop("ExportPath", None)
            chunk = lustre.pop("ImportedFileChunkSize", None)
            auto_import = lustre.pop("AutoImportPolicy", None)
            if import_path:
                lustre["DataRepositoryConfiguration"] = {
                    "Lifecycle": "AVAILABLE",
                    "ImportPath": import_path,
                    # FSx's default export prefix is a timestamped FSxLustre folder.
                    "ExportPath": export_path
                    or import_path.rstrip("/") + "/FSxLustre" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                    "ImportedFileChunkSize": chunk or 1024,
                    "AutoImportPolicy": auto_import or "NONE",
                }
            lustre.setdefault("MountName", uuid4().hex[:8])
            kwargs["lustre_configuration"] = lustre
        fs = super().create_file_system(**kwargs)
        # moto's ids are fs- + 8 hex; real ones are fs- + 17 hex (both match the
        # API's ^(fs-[0-9a-f]{8,})$). Re-key so clients see realistic ids.
        old_id, old_arn = fs.file_system_id, fs.resource_arn
        new_id = _hex_id("fs")
        fs.file_system_id = new_id
        fs.resource_arn = old_arn.replace(old_id, new_id)
        fs.dns_name = fs.dns_name.replace(old_id, new_id)
        self.file_systems[new_id] = self.file_systems.pop(old_id)
        if self.tagger.has_tags(old_arn):
            self.tagger.copy_tags(old_arn, fs.resource_arn)
            self.tagger.delete_all_tags_for_resource(old_arn)
        self.file_system_extras[fs.file_system_id] = {
            "Lifecycle": "AVAILABLE",
            "CreationTime": time.time(),
            "OwnerId": self.account_id,
            "FileSystemTypeVersion": version,
        }
        return fs

    def file_system_to_dict(self, fs: Any) -> dict[str, Any]:
        d = fs.to_dict()
        extras = self.file_system_extras.get(fs.file_system_id, {})
        for key, value in extras.items():
            if value is not None:
                d.setdefault(key, value)
        d.setdefault("Lifecycle", "AVAILABLE")
        d.setdefault("OwnerId", self.account_id)
        return d

    def delete_file_system(self, file_system_id: str, **kwargs: Any) -> Any:  # type: ignore[override]
        with self.drt_lock:
            now = time.time()
            for task in self.data_repository_tasks.values():
                if task.file_system_id == file_system_id and task.lifecycle_at(now) in RUNNING_LIFECYCLES:
                    raise BadRequest(
                        f"Cannot delete file system {file_system_id} while data repository task "
                        f"{task.task_id} is {task.lifecycle_at(now)}; retry when it has finished."
                    )
            result = super().delete_file_system(file_system_id=file_system_id, **kwargs)
            for dra_id in [a.association_id for a in self.associations.values() if a.file_system_id == file_system_id]:
                del self.associations[dra_id]
            self.file_system_extras.pop(file_system_id, None)
            return result

    # Data repository associations ------------------------------------------
    def seed_association(
        self,
        file_system_id: str,
        file_system_path: str,
        data_repository_path: str,
        lifecycle: str = "AVAILABLE",
        s3: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        failure_message: str | None = None,
        check_overlap: bool = True,
    ) -> DataRepositoryAssociation:
        """Add an association directly, in any lifecycle state (for tests)."""
        with self.drt_lock:
            fs = self._get_file_system(file_system_id)
            if fs.file_system_type != "LUSTRE":
                raise UnsupportedOperation(
                    f"Data repository associations are supported only on FSx for Lustre; {file_system_id} is {fs.file_system_type}."
                )
            if lifecycle not in DRA_LIFECYCLES:
                raise BadRequest(f"Invalid association Lifecycle {lifecycle!r}; valid: {', '.join(DRA_LIFECYCLES)}.")
            if not isinstance(file_system_path, str) or not file_system_path.startswith("/"):
                raise BadRequest("FileSystemPath must start with a forward slash (/).")
            if not isinstance(data_repository_path, str) or not data_repository_path.startswith("s3://"):
                raise BadRequest("DataRepositoryPath must be an S3 path of the form s3://bucket[/prefix/].")
            existing = [a for a in self.associations.values() if a.file_system_id == file_system_id]
            if len(existing) >= MAX_ASSOCIATIONS_PER_FILE_SYSTEM:
                # The model's ServiceLimit enum has no association limit.
                raise BadRequest(
                    f"A file system can have at most {MAX_ASSOCIATIONS_PER_FILE_SYSTEM} data repository associations."
                )
            if check_overlap:
                for other in existing:
                    if _path_under(file_system_path, other.file_system_path) or _path_under(
                        other.file_system_path, file_system_path
                    ):
                        raise BadRequest(
                            f"FileSystemPath {file_system_path} overlaps the FileSystemPath "
                            f"{other.file_system_path} of association {other.association_id}."
                        )
                    if _s3_under(data_repository_path, other.data_repository_path) or _s3_under(
                        other.data_repository_path, data_repository_path
                    ):
                        raise BadRequest(
                            f"DataRepositoryPath {data_repository_path} overlaps the DataRepositoryPath "
                            f"{other.data_repository_path} of association {other.association_id}."
                        )
            dra = DataRepositoryAssociation(
                backend=self,
                file_system_id=file_system_id,
                file_system_path=file_system_path,
                data_repository_path=data_repository_path,
                lifecycle=lifecycle,
                s3=s3,
                tags=tags,
                failure_message=failure_message,
            )
            self.associations[dra.association_id] = dra
            return dra

    def create_data_repository_association(
        self,
        file_system_id: Any,
        file_system_path: Any,
        data_repository_path: Any,
        batch_import_meta_data_on_create: bool | None,
        imported_file_chunk_size: int | None,
        s3: dict[str, Any] | None,
        client_request_token: str | None,
        tags: list[dict[str, str]] | None,
    ) -> DataRepositoryAssociation:
        """Associations are AVAILABLE at once (real FSx spends minutes CREATING)."""
        if not data_repository_path:
            raise BadRequest("DataRepositoryPath is required.")
        params = {
            "FileSystemId": file_system_id,
            "FileSystemPath": file_system_path,
            "DataRepositoryPath": data_repository_path,
            "BatchImportMetaDataOnCreate": batch_import_meta_data_on_create,
            "ImportedFileChunkSize": imported_file_chunk_size,
            "S3": s3,
            "Tags": tags,
        }
        with self.drt_lock:
            self._get_file_system(file_system_id)
            if client_request_token and client_request_token in self.association_tokens:
                fingerprint, dra = self.association_tokens[client_request_token]
                if fingerprint != _fingerprint(params):
                    raise IncompatibleParameterError(
                        "ClientRequestToken",
                        "The ClientRequestToken was already used with different parameters.",
                    )
                return dra
            dra = self.seed_association(
                file_system_id=file_system_id,
                file_system_path=file_system_path or "/",
                data_repository_path=data_repository_path,
                s3=s3,
                tags=tags,
            )
            dra.batch_import_meta_data_on_create = bool(batch_import_meta_data_on_create)
            if imported_file_chunk_size:
                dra.imported_file_chunk_size = imported_file_chunk_size
            if client_request_token:
                self.association_tokens[client_request_token] = (_fingerprint(params), dra)
            return dra

    @paginate(pagination_model=PAGINATION_MODEL)
    def describe_data_repository_associations(
        self, association_ids: list[str] | None, filters: list[dict[str, Any]] | None
    ) -> list[DataRepositoryAssociation]:
        filter_dict = _filters_to_dict(filters, DRA_FILTER_NAMES, 10)
        with self.drt_lock:
            if association_ids:
                missing = [i for i in association_ids if i not in self.associations]
                if missing:
                    raise DataRepositoryAssociationNotFound(missing)
                result = [self.associations[i] for i in dict.fromkeys(association_ids)]
            else:
                result = sorted(self.associations.values(), key=lambda a: (a.creation_time, a.association_id))
            for fs_id in filter_dict.get("file-system-id", []):
                self._get_file_system(fs_id)
            if "file-system-id" in filter_dict:
                result = [a for a in result if a.file_system_id in filter_dict["file-system-id"]]
            if "data-repository-type" in filter_dict:
                result = [a for a in result if a.data_repository_type in filter_dict["data-repository-type"]]
            if "file-cache-id" in filter_dict:
                result = []  # no File Cache support
            return result

    # Data repository tasks ---------------------------------------------------
    def create_data_repository_task(
        self,
        task_type: Any,
        paths: Any,
        file_system_id: Any,
        report: Any,
        client_request_token: str | None,
        tags: list[dict[str, str]] | None,
        capacity_to_release: int | None,
        release_configuration: dict[str, Any] | None,
    ) -> DataRepositoryTask:
        if task_type is None:
            raise BadRequest("Type is required.")
        if task_type not in TASK_TYPES:
            raise BadRequest(f"Invalid Type {task_type!r}; valid: {', '.join(TASK_TYPES)}.")
        if task_type == "AUTO_RELEASE_DATA":
            raise BadRequest("AUTO_RELEASE_DATA tasks are only for Amazon File Cache.")
        if not file_system_id:
            raise BadRequest("FileSystemId is required.")
        if not isinstance(report, dict) or "Enabled" not in report:
            raise BadRequest("Report is required, with at least Enabled (true or false).")
        if report.get("Enabled"):
            path = report.get("Path")
            if not path:
                raise BadRequest("Report.Path is required when Report.Enabled is true.")
            if not isinstance(path, str) or not path.startswith("s3://"):
                raise BadRequest(f"Report.Path must be an S3 path within the file system's data repository; got {path!r}.")
        if report.get("Format", "REPORT_CSV_20191124") != "REPORT_CSV_20191124":
            raise BadRequest("Report.Format must be REPORT_CSV_20191124.")
        if report.get("Scope", "FAILED_FILES_ONLY") != "FAILED_FILES_ONLY":
            raise BadRequest("Report.Scope must be FAILED_FILES_ONLY.")
        paths = _validate_paths(paths, "Paths")
        if tags is not None and not 1 <= len(tags) <= 50:
            raise BadRequest("Tags must hold 1 to 50 tags.")
        if release_configuration is not None and task_type != "RELEASE_DATA_FROM_FILESYSTEM":
            raise BadRequest("ReleaseConfiguration is only valid for RELEASE_DATA_FROM_FILESYSTEM tasks.")

        params = {
            "Type": task_type,
            "Paths": paths,
            "FileSystemId": file_system_id,
            "Report": report,
            "Tags": tags,
            "CapacityToRelease": capacity_to_release,
            "ReleaseConfiguration": release_configuration,
        }
        with self.drt_lock:
            fs = self._get_file_system(file_system_id)
            if fs.file_system_type != "LUSTRE":
                raise UnsupportedOperation(
                    f"Data repository tasks are supported only on FSx for Lustre; {file_system_id} is {fs.file_system_type}."
                )
            self._check_task_against_file_system(fs, task_type, report)
            if client_request_token and client_request_token in self.task_tokens:
                fingerprint, task = self.task_tokens[client_request_token]
                if fingerprint != _fingerprint(params):
                    raise IncompatibleParameterError(
                        "ClientRequestToken",
                        "The ClientRequestToken was already used for a CreateDataRepositoryTask "
                        "request with different parameters.",
                    )
                return task
            now = time.time()
            for other in self.data_repository_tasks.values():
                if other.file_system_id == file_system_id and other.lifecycle_at(now) in RUNNING_LIFECYCLES:
                    raise DataRepositoryTaskExecuting(file_system_id, other.task_id)
            if task_type == "EXPORT_TO_REPOSITORY" and file_system_id in self.auto_export_running:
                exporting = self._auto_export_associations(file_system_id)
                if exporting:
                    raise AutoExportRunning(file_system_id, exporting)
            task = DataRepositoryTask(
                backend=self,
                task_type=task_type,
                file_system_id=file_system_id,
                paths=paths,
                report=report,
                tags=tags,
                capacity_to_release=capacity_to_release,
                release_configuration=release_configuration,
                now=now,
            )
            self.data_repository_tasks[task.task_id] = task
            if client_request_token:
                self.task_tokens[client_request_token] = (_fingerprint(params), task)
            return task

    def _check_task_against_file_system(self, fs: Any, task_type: str, report: dict[str, Any]) -> None:
        """The rules that depend on the file system (after FileSystemNotFound, before the token)."""
        fs_id = fs.file_system_id
        version = self.file_system_extras.get(fs_id, {}).get("FileSystemTypeVersion")
        if task_type == "RELEASE_DATA_FROM_FILESYSTEM" and version == "2.10":
            # The FSx for Lustre guide has release tasks for 2.12 and later only; the model's
            # UnsupportedOperation is "The requested operation is not supported for this
            # resource or API" -- the resource (a 2.10 file system) is what lacks it, the
            # request itself is well formed (BadRequest is the generic client error).
            raise UnsupportedOperation(
                f"Release data repository tasks are not supported on file system {fs_id}: "
                "its Lustre version (FileSystemTypeVersion) is 2.10; they need 2.12 or later."
            )
        associations = [a for a in self.associations.values() if a.file_system_id == fs_id]
        linked = (getattr(fs, "lustre_configuration", None) or {}).get("DataRepositoryConfiguration") or {}
        if not associations and not linked.get("ImportPath") and not linked.get("ExportPath"):
            # "A CreateDataRepositoryTask operation will fail if a data repository is not
            # linked to the FSx file system." (model doc; no error code given: BadRequest).
            raise BadRequest(f"File system {fs_id} is not linked to a data repository.")
        if report.get("Enabled"):
            # CompletionReport.Path: "The Path you provide must be within the Amazon S3
            # location that the file system is linked to [...]: The DataRepositoryPath of one
            # of the associations [...]; The ExportPath, if the file system was created with an
            # ImportPath and an ExportPath. For example, if an association links to
            # s3://amzn-s3-demo-bucket/myPrefix, then s3://amzn-s3-demo-bucket/myPrefix/reports
            # is valid. The path s3://amzn-s3-demo-bucket/reports is not." A request with an
            # invalid parameter is the model's BadRequest (unlike Paths, nothing says the task
            # fails instead).
            locations = [a.data_repository_path for a in associations]
            if linked.get("ExportPath"):
                locations.append(linked["ExportPath"])
            if not any(_s3_under(report["Path"], loc) for loc in locations):
                raise BadRequest(
                    f"Report.Path {report['Path']} is not within the S3 location the file system "
                    f"{fs_id} is linked to ({', '.join(locations) or 'none'})."
                )

    def _auto_export_associations(self, file_system_id: str) -> list[str]:
        """Associations of the file system with automatic export (S3.AutoExportPolicy.Events)."""
        return [
            a.association_id
            for a in self.associations.values()
            if a.file_system_id == file_system_id and ((a.s3 or {}).get("AutoExportPolicy") or {}).get("Events")
        ]

    def set_auto_export_running(self, file_system_id: Any, running: bool) -> list[str]:
        """Mark automatic export as running (or not) on a file system (emulator endpoint)."""
        with self.drt_lock:
            self._get_file_system(file_system_id)
            exporting = self._auto_export_associations(file_system_id)
            if running and not exporting:
                raise BadRequest(
                    f"File system {file_system_id} has no data repository association with "
                    "automatic export (S3.AutoExportPolicy.Events)."
                )
            if running:
                self.auto_export_running.add(file_system_id)
            else:
                self.auto_export_running.discard(file_system_id)
            return exporting

    def _task_matches_association(self, task: DataRepositoryTask, dra: DataRepositoryAssociation) -> bool:
        if task.file_system_id != dra.file_system_id:
            return False
        if not task.paths:
            return True
        if task.task_type == "IMPORT_METADATA_FROM_REPOSITORY":
            return any(_s3_under(p, dra.data_repository_path) for p in task.paths)
        return any(_path_under(p, dra.file_system_path) for p in task.paths)

    def describe_data_repository_tasks(
        self,
        task_ids: list[str] | None,
        filters: list[dict[str, Any]] | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[tuple[DataRepositoryTask, float]], str | None]:
        """Newest first. Returns ((task, observation time) list, NextToken).

        Pagination is keyset-based (the token holds the last task returned and
        a hash of the request) rather than moto's ``@paginate``, which resumes
        *at* the next item and so breaks when a task leaves a task-lifecycle
        filter between two pages.
        """
        _check_max_results(max_results, 2147483647)
        filter_dict = _filters_to_dict(filters, TASK_FILTER_NAMES, 3)
        request_hash = _fingerprint({"TaskIds": task_ids or [], "Filters": filters or []})
        after: tuple[float, str] | None = None
        if next_token:
            try:
                token = json.loads(base64.b64decode(next_token.encode()).decode())
                if token["h"] != request_hash:
                    raise ValueError("request changed")
                after = (float(token["t"]), str(token["id"]))
            except Exception as exc:  # noqa: BLE001 - any malformed token
                raise InvalidNextToken(next_token) from exc
        limit = max_results or DEFAULT_TASK_PAGE_SIZE

        with self.drt_lock:
            now = time.time()
            if task_ids:
                missing = [i for i in task_ids if i not in self.data_repository_tasks]
                if missing:
                    raise DataRepositoryTaskNotFound(missing)
                tasks = [self.data_repository_tasks[i] for i in dict.fromkeys(task_ids)]
            else:
                tasks = list(self.data_repository_tasks.values())
            if "file-system-id" in filter_dict:
                for fs_id in filter_dict["file-system-id"]:
                    self._get_file_system(fs_id)
                tasks = [t for t in tasks if t.file_system_id in filter_dict["file-system-id"]]
            if "task-lifecycle" in filter_dict:
                wanted = set(filter_dict["task-lifecycle"])
                bad = wanted - set(TASK_LIFECYCLES)
                if bad:
                    raise BadRequest(f"Invalid task-lifecycle value(s): {', '.join(sorted(bad))}.")
                tasks = [t for t in tasks if t.lifecycle_at(now) in wanted]
            if "data-repository-association-id" in filter_dict:
                ids = filter_dict["data-repository-association-id"]
                missing = [i for i in ids if i not in self.associations]
                if missing:
                    raise DataRepositoryAssociationNotFound(missing)
                dras = [self.associations[i] for i in ids]
                tasks = [t for t in tasks if any(self._task_matches_association(t, d) for d in dras)]
            if "file-cache-id" in filter_dict:
                tasks = []
            # Newest first: key descending.
            tasks.sort(key=lambda t: (t.creation_time, t.task_id), reverse=True)
            if after is not None:
                tasks = [t for t in tasks if (t.creation_time, t.task_id) < after]
            page = tasks[:limit]
            new_token = None
            if len(tasks) > limit:
                last = page[-1]
                new_token = base64.b64encode(
                    json.dumps({"h": request_hash, "t": repr(last.creation_time), "id": last.task_id}).encode()
                ).decode()
            return [(t, now) for t in page], new_token

    def cancel_data_repository_task(self, task_id: Any) -> tuple[str, str]:
        if not task_id:
            raise BadRequest("TaskId is required.")
        with self.drt_lock:
            task = self.data_repository_tasks.get(task_id)
            if task is None:
                raise DataRepositoryTaskNotFound([str(task_id)])
            return task.task_id, task.cancel(time.time())

    # Tagging -------------------------------------------------------------------
    # moto's TagResource / UntagResource / ListTagsForResource take any ARN; the tags of a
    # task or an association live on its ResourceARN (tagged at creation). An ARN of a task
    # or association that does not exist is the model's ResourceNotFound ("The resource
    # specified by the Amazon Resource Name (ARN) can't be found"), as for other resources.
    def _check_tag_target(self, arn: Any) -> None:
        with self.drt_lock:
            known = {t.resource_arn for t in self.data_repository_tasks.values()}
            known.update(a.resource_arn for a in self.associations.values())
        if isinstance(arn, str) and (":task/" in arn or ":association/" in arn) and arn not in known:
            raise ResourceNotFound(arn)

    def list_tags_for_resource(self, resource_arn: str) -> list[dict[str, str]]:
        self._check_tag_target(resource_arn)
        return super().list_tags_for_resource(resource_arn)

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        self._check_tag_target(arn)
        super().tag_resource(arn, tags)

    def untag_resource(self, arn: str, tag_keys: list[str]) -> None:
        self._check_tag_target(arn)
        super().untag_resource(arn, tag_keys)

    def iter_tagged_resources(self) -> Iterator[TaggedResource]:
        yield from super().iter_tagged_resources()
        for dra in self.associations.values():
            yield TaggedResource(
                arn=dra.resource_arn,
                tags=self.tagger.get_tag_dict_for_resource(dra.resource_arn),
                resource_type="fsx:association",
            )
        for task in self.data_repository_tasks.values():
            yield TaggedResource(
                arn=task.resource_arn,
                tags=self.tagger.get_tag_dict_for_resource(task.resource_arn),
                resource_type="fsx:task",
            )


# --------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------


class FSxDrtResponse(FSxResponse):
    """moto's FSxResponse plus the data repository operations.

    One method per operation, named as moto's dispatcher expects
    (CamelCase action -> snake_case method).
    """

    @property
    def fsx_backend(self) -> FSxDrtBackend:  # type: ignore[override]
        return moto_fsx_models.fsx_backends[self.current_account][self.region]  # type: ignore[return-value]

    def call_action(self) -> Any:
        # moto answers str results as text/html; FSx (awsJson1_1) uses this.
        status, headers, body = super().call_action()
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/x-amz-json-1.1"
        return status, headers, body

    def _params(self) -> dict[str, Any]:
        body = self.body
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if not body:
            return {}
        try:
            params = json.loads(body)
        except ValueError as exc:
            raise BadRequest("The request body is not valid JSON.") from exc
        if not isinstance(params, dict):
            raise BadRequest("The request body must be a JSON object.")
        return params

    # File systems: add Lifecycle/CreationTime/OwnerId to moto's output.
    def create_file_system(self) -> str:
        data = json.loads(super().create_file_system())
        fs = self.fsx_backend.file_systems[data["FileSystem"]["FileSystemId"]]
        return json.dumps({"FileSystem": self.fsx_backend.file_system_to_dict(fs)})

    def describe_file_systems(self) -> str:
        params = self._params()
        _check_max_results(params.get("MaxResults"), 2147483647)
        try:
            file_systems, next_token = self.fsx_backend.describe_file_systems(
                file_system_ids=params.get("FileSystemIds"),
                max_results=params.get("MaxResults"),
                next_token=params.get("NextToken"),
            )
        except InvalidToken as exc:
            raise InvalidNextToken(params.get("NextToken")) from exc
        if params.get("FileSystemIds"):
            missing = [i for i in params["FileSystemIds"] if i not in self.fsx_backend.file_systems]
            if missing:
                raise FileSystemNotFound(missing[0])
        out: dict[str, Any] = {"FileSystems": [self.fsx_backend.file_system_to_dict(fs) for fs in file_systems]}
        if next_token:
            out["NextToken"] = next_token
        return json.dumps(out)

    # Associations
    def create_data_repository_association(self) -> str:
        p = self._params()
        dra = self.fsx_backend.create_data_repository_association(
            file_system_id=p.get("FileSystemId"),
            file_system_path=p.get("FileSystemPath"),
            data_repository_path=p.get("DataRepositoryPath"),
            batch_import_meta_data_on_create=p.get("BatchImportMetaDataOnCreate"),
            imported_file_chunk_size=p.get("ImportedFileChunkSize"),
            s3=p.get("S3"),
            client_request_token=p.get("ClientRequestToken"),
            tags=p.get("Tags"),
        )
        return json.dumps({"Association": dra.to_dict()})

    def describe_data_repository_associations(self) -> str:
        p = self._params()
        _check_max_results(p.get("MaxResults"), 25)
        try:
            dras, next_token = self.fsx_backend.describe_data_repository_associations(
                association_ids=p.get("AssociationIds"),
                filters=p.get("Filters"),
                max_results=p.get("MaxResults"),
                next_token=p.get("NextToken"),
            )
        except InvalidToken as exc:  # moto's paginator: token/request mismatch
            raise InvalidNextToken(p.get("NextToken")) from exc
        out: dict[str, Any] = {"Associations": [d.to_dict() for d in dras]}
        if next_token:
            out["NextToken"] = next_token
        return json.dumps(out)

    # Tasks
    def create_data_repository_task(self) -> str:
        p = self._params()
        task = self.fsx_backend.create_data_repository_task(
            task_type=p.get("Type"),
            paths=p.get("Paths"),
            file_system_id=p.get("FileSystemId"),
            report=p.get("Report"),
            client_request_token=p.get("ClientRequestToken"),
            tags=p.get("Tags"),
            capacity_to_release=p.get("CapacityToRelease"),
            release_configuration=p.get("ReleaseConfiguration"),
        )
        return json.dumps({"DataRepositoryTask": task.to_dict()})

    def describe_data_repository_tasks(self) -> str:
        p = self._params()
        tasks, next_token = self.fsx_backend.describe_data_repository_tasks(
            task_ids=p.get("TaskIds"),
            filters=p.get("Filters"),
            max_results=p.get("MaxResults"),
            next_token=p.get("NextToken"),
        )
        out: dict[str, Any] = {"DataRepositoryTasks": [t.to_dict(now) for t, now in tasks]}
        if next_token:
            out["NextToken"] = next_token
        return json.dumps(out)

    def cancel_data_repository_task(self) -> str:
        p = self._params()
        task_id, lifecycle = self.fsx_backend.cancel_data_repository_task(p.get("TaskId"))
        return json.dumps({"Lifecycle": lifecycle, "TaskId": task_id})


# --------------------------------------------------------------------------
# Installation and seeding
# --------------------------------------------------------------------------

_installed = False


def install() -> None:
    """Make moto's FSx backend the fsx-drt one. Idempotent; call before serving."""
    global _installed
    if _installed:
        return
    backends = moto_fsx_models.fsx_backends
    for attr in ("backend",):
        if not hasattr(backends, attr):
            raise RuntimeError(f"moto's BackendDict has no {attr!r}: fsx_drt_moto needs updating for this moto")
    if not isinstance(moto_fsx_urls.url_paths, dict) or not moto_fsx_urls.url_paths:
        raise RuntimeError("moto.fsx.urls.url_paths changed shape: fsx_drt_moto needs updating for this moto")
    for attr in ("file_systems", "tagger"):
        probe = FSxBackend("us-east-1", "000000000000")
        if not hasattr(probe, attr):
            raise RuntimeError(f"FSxBackend has no {attr!r}: fsx_drt_moto needs updating for this moto")
    backends.backend = FSxDrtBackend
    # Upgrade account/region backends that moto may already have built.
    for account_backend in backends.values():
        account_backend.backend = FSxDrtBackend
        for region_backend in account_backend.values():
            if not isinstance(region_backend, FSxDrtBackend):
                region_backend.__class__ = FSxDrtBackend
                region_backend._init_drt_state()
    _installed = True


def get_backend(region_name: str, account_id: str) -> FSxDrtBackend:
    install()
    backend = moto_fsx_models.fsx_backends[account_id][region_name]
    assert isinstance(backend, FSxDrtBackend)
    return backend


def seed_demo(
    region_name: str,
    account_id: str,
    bucket: str = "fsx-drt-demo-data",
) -> dict[str, Any]:
    """Seed the demo environment: one Lustre file system with one association.

    * a PERSISTENT_2 FSx for Lustre 2.15 file system (Lifecycle AVAILABLE),
      tagged Name=fsx-drt-demo;
    * association /data -> s3://<bucket>/data/ (AVAILABLE, auto import and
      export of NEW/CHANGED/DELETED);
    * the S3 bucket <bucket> in moto's S3, holding data/README.txt.

    Returns {"FileSystemId", "AssociationIds", "Bucket"}.
    """
    backend = get_backend(region_name, account_id)
    fs = backend.create_file_system(
        client_request_token=None,
        file_system_type="LUSTRE",
        storage_capacity=1200,
        storage_type="SSD",
        subnet_ids=["subnet-0123456789abcdef0"],
        security_group_ids=["sg-0123456789abcdef0"],
        tags=[{"Key": "Name", "Value": "fsx-drt-demo"}],
        kms_key_id=None,
        windows_configuration=None,
        lustre_configuration={
            "DeploymentType": "PERSISTENT_2",
            "PerUnitStorageThroughput": 125,
            "WeeklyMaintenanceStartTime": "1:05:00",
            "DataCompressionType": "NONE",
        },
        ontap_configuration=None,
        file_system_type_version="2.15",
        open_zfs_configuration=None,
    )
    dras = [
        backend.seed_association(
            fs.file_system_id,
            "/data",
            f"s3://{bucket}/data/",
            s3={
                "AutoImportPolicy": {"Events": ["NEW", "CHANGED", "DELETED"]},
                "AutoExportPolicy": {"Events": ["NEW", "CHANGED", "DELETED"]},
            },
        ),
    ]

    from moto.s3.models import s3_backends

    s3 = s3_backends[account_id][backend.partition]
    if bucket not in s3.buckets:
        s3.create_bucket(bucket, region_name)
        s3.put_object(bucket, "data/README.txt", b"fsx-drt emulator demo object\n")
    return {
        "FileSystemId": fs.file_system_id,
        "AssociationIds": [d.association_id for d in dras],
        "Bucket": bucket,
    }

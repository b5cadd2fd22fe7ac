"""fsx-drt's extension of moto's FSx backend.

moto (pinned in emulator/requirements.txt) implements FSx file systems and
backups only. fsx-drt also needs data repository associations (DRAs) and data
repository tasks (DRTs), so this package adds them, laid out as moto lays out a
service (moto/fsx/: models.py, responses.py, exceptions.py, urls.py):

  models.py      FSxDrtBackend: the state and the rules (moto's FSxBackend plus)
  resources.py   DataRepositoryAssociation, DataRepositoryTask (the task lifecycle)
  rules.py       validation shared by both: paths, filters, Lustre versions
  responses.py   FSxDrtResponse: JSON in, JSON out (moto's FSxResponse plus)
  exceptions.py  the modelled FSx errors with their wire shape
  paging.py      the one MaxResults/NextToken rule of every describe operation
  urls.py        moto's FSx URL table bound to FSxDrtResponse
  config.py      timings from the environment, FSx constants
  __init__.py    install(), get_backend(), seed_demo()

It provides:

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
    combinations (see ``rules.lustre_version_and_storage``);
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
    backend's ``_url_module`` is ``fsx_drt.urls``, moto's URL table bound to
    its ``dispatch``.
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
    (``moto.<service>.models``) and would fail for ``fsx_drt.resources``. Their only loss is not
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
             A path containing "partial" ("partial-N": N files, default 3)
             ends SUCCEEDED with that many failed files (SucceededCount 10).
             With failed files and Report.Enabled, the first
             DescribeDataRepositoryTasks that sees the end writes the
             completion report (resources.DataRepositoryTask.deliver_report)
             to {Report.Path}/{TaskId}/failures.csv (report.csv for import)
             in moto's S3, in the user guide's CSV format.
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
or that have no Paths. Default page size: 50 tasks, 25 associations (also the
most MaxResults allows), all file systems. Paging: see ``paging.py``.
"""

from __future__ import annotations

from typing import Any

import moto.fsx.models as moto_fsx_models
import moto.fsx.urls as moto_fsx_urls
from moto.fsx.models import FSxBackend

from .config import status_refresh_seconds, task_durations
from .exceptions import FSxDrtError
from .models import FSxDrtBackend

__all__ = ["FSxDrtBackend", "FSxDrtError", "get_backend", "install", "seed_demo", "status_refresh_seconds", "task_durations"]

_installed = False


def install() -> None:
    """Make moto's FSx backend the fsx-drt one. Idempotent; call before serving."""
    global _installed
    if _installed:
        return
    backends = moto_fsx_models.fsx_backends
    for attr in ("backend",):
        if not hasattr(backends, attr):
            raise RuntimeError(f"moto's BackendDict has no {attr!r}: fsx_drt needs updating for this moto")
    if not isinstance(moto_fsx_urls.url_paths, dict) or not moto_fsx_urls.url_paths:
        raise RuntimeError("moto.fsx.urls.url_paths changed shape: fsx_drt needs updating for this moto")
    for attr in ("file_systems", "tagger"):
        probe = FSxBackend("us-east-1", "000000000000")
        if not hasattr(probe, attr):
            raise RuntimeError(f"FSxBackend has no {attr!r}: fsx_drt needs updating for this moto")
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

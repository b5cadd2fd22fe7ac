#!/usr/bin/env python3
"""Self-check of the fsx-drt emulator (no pytest needed).

    target/venv-emulator/bin/python emulator/test_emulator.py

Starts a private emulator (emulator/server.py, free port, short task timings,
request log in a temporary directory), exercises it with boto3 and stops it.
Set FSX_DRT_EMULATOR_TEST_ENDPOINT=http://127.0.0.1:PORT to check a running
one instead (its task timings apply, so it takes longer; the detach/stop check
is skipped and it adds a file system, associations, tasks and a stack there).
Prints one line per check and a closing "emulator: N passed, N failed" line;
exits 1 if any check failed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
SERVER = HERE / "server.py"
REGION = "us-east-1"
TIMINGS = {
    "FSX_DRT_EMULATOR_PENDING_SECONDS": "0.4",
    "FSX_DRT_EMULATOR_TASK_SECONDS": "1.2",
    "FSX_DRT_EMULATOR_CANCEL_SECONDS": "0.4",
}
TASK_ID_RE = re.compile(r"^task-[0-9a-f]{17}$")
FS_ID_RE = re.compile(r"^fs-[0-9a-f]{17}$")
DRA_ID_RE = re.compile(r"^dra-[0-9a-f]{17}$")
NO_REPORT = {"Enabled": False}


class Ctx:
    endpoint: str
    fs_id: str  # the seeded demo file system
    request_log: Path | None
    fsx: Any
    own_fs: str  # a file system this test creates, so its tasks are isolated
    exports_dra: str
    tasks: dict[str, str]


ctx = Ctx()
ctx.tasks = {}


def client(service: str) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=ctx.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def expect_error(code: str, fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    try:
        fn(**kwargs)
    except ClientError as exc:
        got = exc.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {exc}"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400, exc.response["ResponseMetadata"]
        return exc.response
    raise AssertionError(f"expected {code}, call succeeded")


def describe_task(task_id: str) -> dict[str, Any]:
    tasks = ctx.fsx.describe_data_repository_tasks(TaskIds=[task_id])["DataRepositoryTasks"]
    assert len(tasks) == 1 and tasks[0]["TaskId"] == task_id, tasks
    return tasks[0]


def wait_for(task_id: str, lifecycles: set[str], timeout: float = 30.0) -> tuple[dict[str, Any], list[str]]:
    """Poll until the task is in one of lifecycles; returns it and the lifecycles seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        task = describe_task(task_id)
        if not seen or seen[-1] != task["Lifecycle"]:
            seen.append(task["Lifecycle"])
        if task["Lifecycle"] in lifecycles:
            return task, seen
        assert time.monotonic() < deadline, f"{task_id} stuck; seen {seen}"
        time.sleep(0.05)


def raw_fsx(operation: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    """An FSx call without botocore (no client-side validation), as any SDK sends it."""
    req = urllib.request.Request(
        ctx.endpoint + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSSimbaAPIService_v20180301.{operation}",
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/fsx/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=0"
            ),
            "X-Amz-Date": "20250101T000000Z",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")


# ---------------------------------------------------------------------------
# Checks, run in order (later ones use state made by earlier ones)
# ---------------------------------------------------------------------------


def check_seeded_file_system() -> None:
    fss = ctx.fsx.describe_file_systems(FileSystemIds=[ctx.fs_id])["FileSystems"]
    assert len(fss) == 1, fss
    fs = fss[0]
    assert FS_ID_RE.match(fs["FileSystemId"]), fs["FileSystemId"]
    assert fs["FileSystemType"] == "LUSTRE" and fs["Lifecycle"] == "AVAILABLE", fs
    assert fs["LustreConfiguration"]["DeploymentType"] == "PERSISTENT_2", fs
    assert fs["OwnerId"] == "123456789012", fs
    expect_error("FileSystemNotFound", ctx.fsx.describe_file_systems, FileSystemIds=["fs-00000000000000000"])


def check_seeded_association_and_bucket() -> None:
    resp = ctx.fsx.describe_data_repository_associations(Filters=[{"Name": "file-system-id", "Values": [ctx.fs_id]}])
    dras = resp["Associations"]
    assert len(dras) == 1, dras
    dra = dras[0]
    assert DRA_ID_RE.match(dra["AssociationId"]), dra
    assert dra["FileSystemPath"] == "/data", dra
    assert dra["DataRepositoryPath"] == "s3://fsx-drt-demo-data/data/", dra
    assert dra["Lifecycle"] == "AVAILABLE" and dra["FileSystemId"] == ctx.fs_id, dra
    assert "NextToken" not in resp, resp
    client("s3").head_bucket(Bucket="fsx-drt-demo-data")


def check_own_file_system_and_associations() -> None:
    fs = ctx.fsx.create_file_system(
        FileSystemType="LUSTRE",
        StorageCapacity=1200,
        SubnetIds=["subnet-0123456789abcdef1"],
        LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 125},
    )["FileSystem"]
    assert FS_ID_RE.match(fs["FileSystemId"]) and fs["Lifecycle"] == "AVAILABLE", fs
    ctx.own_fs = fs["FileSystemId"]

    kwargs = dict(
        FileSystemId=ctx.own_fs,
        FileSystemPath="/exports",
        DataRepositoryPath="s3://fsx-drt-demo-data/exports/",
        ClientRequestToken="dra-token-1",
    )
    dra = ctx.fsx.create_data_repository_association(**kwargs)["Association"]
    assert dra["Lifecycle"] == "AVAILABLE" and DRA_ID_RE.match(dra["AssociationId"]), dra
    ctx.exports_dra = dra["AssociationId"]
    again = ctx.fsx.create_data_repository_association(**kwargs)["Association"]
    assert again["AssociationId"] == dra["AssociationId"], (again, dra)
    expect_error(
        "IncompatibleParameterError",
        ctx.fsx.create_data_repository_association,
        **{**kwargs, "DataRepositoryPath": "s3://fsx-drt-demo-data/other/"},
    )
    # Overlapping FileSystemPath.
    expect_error(
        "BadRequest",
        ctx.fsx.create_data_repository_association,
        FileSystemId=ctx.own_fs,
        FileSystemPath="/exports/sub",
        DataRepositoryPath="s3://fsx-drt-demo-data/sub/",
    )
    # The second one through the emulator's seeding endpoint, in a lifecycle the API cannot make.
    req = urllib.request.Request(
        ctx.endpoint + "/__fsx_drt_emulator/associations",
        data=json.dumps(
            {
                "FileSystemId": ctx.own_fs,
                "FileSystemPath": "/imports",
                "DataRepositoryPath": "s3://fsx-drt-demo-data/imports/",
                "Lifecycle": "MISCONFIGURED",
            }
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        seeded = json.loads(resp.read())["Association"]
    assert seeded["Lifecycle"] == "MISCONFIGURED", seeded


def check_association_pagination() -> None:
    flt = [{"Name": "file-system-id", "Values": [ctx.own_fs]}]
    pages: list[list[dict[str, Any]]] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"Filters": flt, "MaxResults": 1}
        if token:
            kwargs["NextToken"] = token
        resp = ctx.fsx.describe_data_repository_associations(**kwargs)
        pages.append(resp["Associations"])
        token = resp.get("NextToken")
        if not token:
            break
        assert len(pages) < 10, "pagination does not end"
    assert [len(p) for p in pages] == [1, 1], pages
    paths = [p[0]["FileSystemPath"] for p in pages]
    assert sorted(paths) == ["/exports", "/imports"], paths
    by_id = ctx.fsx.describe_data_repository_associations(AssociationIds=[ctx.exports_dra])["Associations"]
    assert [d["FileSystemPath"] for d in by_id] == ["/exports"], by_id
    expect_error(
        "DataRepositoryAssociationNotFound",
        ctx.fsx.describe_data_repository_associations,
        AssociationIds=["dra-00000000000000000"],
    )
    expect_error(
        "FileSystemNotFound",
        ctx.fsx.describe_data_repository_associations,
        Filters=[{"Name": "file-system-id", "Values": ["fs-00000000000000000"]}],
    )
    expect_error("BadRequest", ctx.fsx.describe_data_repository_associations, MaxResults=26)


def check_create_task_and_idempotency() -> None:
    kwargs = dict(
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Paths=["exports/a", "exports/b"],
        Report={"Enabled": True, "Path": "s3://fsx-drt-demo-data/exports/reports", "Format": "REPORT_CSV_20191124", "Scope": "FAILED_FILES_ONLY"},
        ClientRequestToken="drt-token-1",
        Tags=[{"Key": "fsx-drt", "Value": "test"}],
    )
    task = ctx.fsx.create_data_repository_task(**kwargs)["DataRepositoryTask"]
    assert TASK_ID_RE.match(task["TaskId"]), task
    assert task["Lifecycle"] == "PENDING" and task["Type"] == "EXPORT_TO_REPOSITORY", task
    assert task["Paths"] == ["exports/a", "exports/b"] and task["FileSystemId"] == ctx.own_fs, task
    assert task["ResourceARN"].endswith(":task/" + task["TaskId"]), task
    ctx.tasks["ok"] = task["TaskId"]
    # Tags are stored on the task's ARN, not echoed (nothing documents FSx filling them in).
    assert "Tags" not in task, task
    assert "Tags" not in describe_task(task["TaskId"]), describe_task(task["TaskId"])
    tags = ctx.fsx.list_tags_for_resource(ResourceARN=task["ResourceARN"])["Tags"]
    assert tags == [{"Key": "fsx-drt", "Value": "test"}], tags
    ctx.fsx.tag_resource(ResourceARN=task["ResourceARN"], Tags=[{"Key": "later", "Value": "1"}])
    tags = ctx.fsx.list_tags_for_resource(ResourceARN=task["ResourceARN"])["Tags"]
    assert sorted(t["Key"] for t in tags) == ["fsx-drt", "later"], tags
    ctx.fsx.untag_resource(ResourceARN=task["ResourceARN"], TagKeys=["later"])
    unknown = task["ResourceARN"].replace(task["TaskId"], "task-00000000000000000")
    err = expect_error("ResourceNotFound", ctx.fsx.list_tags_for_resource, ResourceARN=unknown)
    assert err.get("ResourceARN") == unknown, err
    dra_arn = ctx.fsx.describe_data_repository_associations(AssociationIds=[ctx.exports_dra])["Associations"][0]["ResourceARN"]
    ctx.fsx.tag_resource(ResourceARN=dra_arn, Tags=[{"Key": "dra", "Value": "x"}])
    assert ctx.fsx.list_tags_for_resource(ResourceARN=dra_arn)["Tags"] == [{"Key": "dra", "Value": "x"}]

    again = ctx.fsx.create_data_repository_task(**kwargs)["DataRepositoryTask"]
    assert again["TaskId"] == task["TaskId"], "same token + same parameters must return the same task"
    err = expect_error(
        "IncompatibleParameterError",
        ctx.fsx.create_data_repository_task,
        **{**kwargs, "Paths": ["exports/c"]},
    )
    assert err.get("Parameter") == "ClientRequestToken", err


def check_one_task_per_file_system() -> None:
    err = expect_error(
        "DataRepositoryTaskExecuting",
        ctx.fsx.create_data_repository_task,
        Type="IMPORT_METADATA_FROM_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Report=NO_REPORT,
    )
    assert "currently executing" in err["Error"]["Message"], err
    # Another file system is not blocked... but leave the demo one alone when external.


def check_lifecycle_succeeds() -> None:
    task, seen = wait_for(ctx.tasks["ok"], {"SUCCEEDED", "FAILED", "CANCELED"})
    assert task["Lifecycle"] == "SUCCEEDED", task
    assert seen[-1] == "SUCCEEDED" and "EXECUTING" in seen, seen
    assert task["StartTime"] >= task["CreationTime"] and task["EndTime"] >= task["StartTime"], task
    status = task["Status"]
    assert (status["TotalCount"], status["SucceededCount"], status["FailedCount"]) == (0, 0, 0), status
    assert "LastUpdatedTime" in status and "FailureDetails" not in task, task
    # The token still returns the same (now finished) task.
    again = ctx.fsx.create_data_repository_task(
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Paths=["exports/a", "exports/b"],
        Report={"Enabled": True, "Path": "s3://fsx-drt-demo-data/exports/reports", "Format": "REPORT_CSV_20191124", "Scope": "FAILED_FILES_ONLY"},
        ClientRequestToken="drt-token-1",
        Tags=[{"Key": "fsx-drt", "Value": "test"}],
    )["DataRepositoryTask"]
    assert again["TaskId"] == ctx.tasks["ok"] and again["Lifecycle"] == "SUCCEEDED", again


def check_failing_task() -> None:
    task = ctx.fsx.create_data_repository_task(
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Paths=["exports/fail-this-one"],
        Report=NO_REPORT,
    )["DataRepositoryTask"]
    ctx.tasks["failed"] = task["TaskId"]
    task, seen = wait_for(task["TaskId"], {"SUCCEEDED", "FAILED", "CANCELED"})
    assert task["Lifecycle"] == "FAILED", (task, seen)
    assert task["FailureDetails"]["Message"], task
    assert task["Status"]["FailedCount"] == 1 and task["Status"]["TotalCount"] == 1, task
    assert "EndTime" in task, task


def check_cancel() -> None:
    task = ctx.fsx.create_data_repository_task(
        Type="RELEASE_DATA_FROM_FILESYSTEM",
        FileSystemId=ctx.own_fs,
        Paths=["elsewhere/x"],
        Report=NO_REPORT,
        ReleaseConfiguration={"DurationSinceLastAccess": {"Unit": "DAYS", "Value": 0}},
    )["DataRepositoryTask"]
    ctx.tasks["canceled"] = task["TaskId"]
    resp = ctx.fsx.cancel_data_repository_task(TaskId=task["TaskId"])
    assert resp["Lifecycle"] == "CANCELING" and resp["TaskId"] == task["TaskId"], resp
    assert describe_task(task["TaskId"])["Lifecycle"] == "CANCELING"
    # A CANCELING task still occupies the file system.
    expect_error(
        "DataRepositoryTaskExecuting",
        ctx.fsx.create_data_repository_task,
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Report=NO_REPORT,
    )
    task, seen = wait_for(task["TaskId"], {"CANCELED", "SUCCEEDED", "FAILED"})
    assert task["Lifecycle"] == "CANCELED" and "EndTime" in task, (task, seen)
    expect_error("DataRepositoryTaskEnded", ctx.fsx.cancel_data_repository_task, TaskId=task["TaskId"])
    expect_error("DataRepositoryTaskEnded", ctx.fsx.cancel_data_repository_task, TaskId=ctx.tasks["ok"])
    expect_error("DataRepositoryTaskNotFound", ctx.fsx.cancel_data_repository_task, TaskId="task-00000000000000000")


def check_file_system_not_found_and_bad_requests() -> None:
    expect_error(
        "FileSystemNotFound",
        ctx.fsx.create_data_repository_task,
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId="fs-00000000000000000",
        Report=NO_REPORT,
    )
    expect_error(
        "BadRequest",
        ctx.fsx.create_data_repository_task,
        Type="NOT_A_TYPE",
        FileSystemId=ctx.own_fs,
        Report=NO_REPORT,
    )
    expect_error(
        "BadRequest",
        ctx.fsx.create_data_repository_task,
        Type="EXPORT_TO_REPOSITORY",
        FileSystemId=ctx.own_fs,
        Report={"Enabled": True},
    )
    # Report is required (botocore would refuse to send it, so go raw).
    status, _, body = raw_fsx("CreateDataRepositoryTask", {"Type": "EXPORT_TO_REPOSITORY", "FileSystemId": ctx.own_fs})
    assert status == 400 and body["__type"] == "BadRequest", (status, body)


def check_error_wire_shape() -> None:
    status, headers, body = raw_fsx(
        "CreateDataRepositoryTask",
        {"Type": "EXPORT_TO_REPOSITORY", "FileSystemId": "fs-00000000000000000", "Report": NO_REPORT},
    )
    assert status == 400, status
    assert body.get("__type") == "FileSystemNotFound", body
    assert body.get("Message") and body.get("message") == body.get("Message"), body
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered.get("x-amzn-errortype") == "FileSystemNotFound", headers
    status, headers, body = raw_fsx("DescribeDataRepositoryTasks", {"TaskIds": [ctx.tasks["ok"]]})
    assert status == 200 and body["DataRepositoryTasks"][0]["TaskId"] == ctx.tasks["ok"], body
    assert {k.lower(): v for k, v in headers.items()}["content-type"] == "application/x-amz-json-1.1", headers


def check_describe_tasks_filters_and_pagination() -> None:
    by_fs = [{"Name": "file-system-id", "Values": [ctx.own_fs]}]
    tasks = ctx.fsx.describe_data_repository_tasks(Filters=by_fs)["DataRepositoryTasks"]
    ids = [t["TaskId"] for t in tasks]
    expected = [ctx.tasks["canceled"], ctx.tasks["failed"], ctx.tasks["ok"]]  # newest first
    assert ids == expected, (ids, expected)

    def ids_for(lifecycle: str) -> list[str]:
        flt = by_fs + [{"Name": "task-lifecycle", "Values": [lifecycle]}]
        return [t["TaskId"] for t in ctx.fsx.describe_data_repository_tasks(Filters=flt)["DataRepositoryTasks"]]

    assert ids_for("SUCCEEDED") == [ctx.tasks["ok"]]
    assert ids_for("FAILED") == [ctx.tasks["failed"]]
    assert ids_for("CANCELED") == [ctx.tasks["canceled"]]
    assert ids_for("EXECUTING") == []
    by_dra = [{"Name": "data-repository-association-id", "Values": [ctx.exports_dra]}]
    dra_ids = [t["TaskId"] for t in ctx.fsx.describe_data_repository_tasks(Filters=by_dra)["DataRepositoryTasks"]]
    assert dra_ids == [ctx.tasks["failed"], ctx.tasks["ok"]], dra_ids

    pages: list[list[str]] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"Filters": by_fs, "MaxResults": 1}
        if token:
            kwargs["NextToken"] = token
        resp = ctx.fsx.describe_data_repository_tasks(**kwargs)
        pages.append([t["TaskId"] for t in resp["DataRepositoryTasks"]])
        token = resp.get("NextToken")
        if not token:
            break
        assert len(pages) < 10, "pagination does not end"
    assert pages == [[i] for i in expected], pages
    # A token from another request is refused.
    first = ctx.fsx.describe_data_repository_tasks(Filters=by_fs, MaxResults=1)
    expect_error("BadRequest", ctx.fsx.describe_data_repository_tasks, NextToken=first["NextToken"], MaxResults=1)

    got = ctx.fsx.describe_data_repository_tasks(TaskIds=[ctx.tasks["failed"]])["DataRepositoryTasks"]
    assert [t["TaskId"] for t in got] == [ctx.tasks["failed"]], got
    expect_error("DataRepositoryTaskNotFound", ctx.fsx.describe_data_repository_tasks, TaskIds=["task-00000000000000000"])
    expect_error(
        "FileSystemNotFound",
        ctx.fsx.describe_data_repository_tasks,
        Filters=[{"Name": "file-system-id", "Values": ["fs-00000000000000000"]}],
    )
    expect_error("BadRequest", ctx.fsx.describe_data_repository_tasks, Filters=[{"Name": "bogus", "Values": ["x"]}])


def admin_post(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST to an emulator endpoint (/__fsx_drt_emulator/...); (HTTP status, JSON body)."""
    req = urllib.request.Request(
        ctx.endpoint + "/__fsx_drt_emulator" + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def new_lustre_fs(version: str | None = "2.15", storage: str | None = None, **lustre: Any) -> dict[str, Any]:
    """A new Lustre file system (PERSISTENT_2 unless DeploymentType says otherwise)."""
    kwargs: dict[str, Any] = dict(
        FileSystemType="LUSTRE",
        StorageCapacity=1200,
        SubnetIds=["subnet-0123456789abcdef1"],
        LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 125, **lustre},
    )
    if version:
        kwargs["FileSystemTypeVersion"] = version
    if storage:
        kwargs["StorageType"] = storage
    return ctx.fsx.create_file_system(**kwargs)["FileSystem"]


def new_linked_fs(prefix: str, **s3: Any) -> str:
    """A new 2.15 file system whose root is associated with s3://fsx-drt-demo-data/<prefix>/."""
    fs_id = new_lustre_fs()["FileSystemId"]
    extra = {"S3": s3} if s3 else {}
    ctx.fsx.create_data_repository_association(
        FileSystemId=fs_id, FileSystemPath="/", DataRepositoryPath=f"s3://fsx-drt-demo-data/{prefix}/", **extra
    )
    return fs_id


def check_file_system_versions_and_storage() -> None:
    """CreateFileSystem keeps FileSystemTypeVersion, DeploymentType, StorageType, with the documented defaults."""
    fs = new_lustre_fs("2.15", "INTELLIGENT_TIERING")
    got = ctx.fsx.describe_file_systems(FileSystemIds=[fs["FileSystemId"]])["FileSystems"][0]
    assert got["FileSystemTypeVersion"] == "2.15" and got["StorageType"] == "INTELLIGENT_TIERING", got
    assert got["LustreConfiguration"]["DeploymentType"] == "PERSISTENT_2", got
    scratch = new_lustre_fs(None, DeploymentType="SCRATCH_2")
    assert (scratch["FileSystemTypeVersion"], scratch["StorageType"]) == ("2.10", "SSD"), scratch
    assert new_lustre_fs(None)["FileSystemTypeVersion"] == "2.12"  # PERSISTENT_2 without metadata configuration
    expect_error("BadRequest", new_lustre_fs, version="2.15", storage="INTELLIGENT_TIERING", DeploymentType="SCRATCH_2")
    expect_error("BadRequest", new_lustre_fs, version="2.10")  # 2.10 is Scratch and Persistent_1 only
    expect_error("BadRequest", new_lustre_fs, version="2.11")


def check_release_needs_lustre_2_12() -> None:
    old = new_lustre_fs("2.10", DeploymentType="SCRATCH_2", ImportPath="s3://fsx-drt-demo-data/old/")
    release = dict(Type="RELEASE_DATA_FROM_FILESYSTEM", Paths=["/"], Report=NO_REPORT)
    err = expect_error("UnsupportedOperation", ctx.fsx.create_data_repository_task, FileSystemId=old["FileSystemId"], **release)
    assert "2.10" in err["Error"]["Message"], err
    fs_id = new_linked_fs("release-212")
    task = ctx.fsx.create_data_repository_task(FileSystemId=fs_id, **release)["DataRepositoryTask"]
    assert task["Lifecycle"] == "PENDING", task


def check_report_path_must_be_in_repository() -> None:
    export = dict(Type="EXPORT_TO_REPOSITORY", FileSystemId=ctx.own_fs, Paths=["exports/a"])

    def report(path: str) -> dict[str, Any]:
        return {"Enabled": True, "Path": path, "Format": "REPORT_CSV_20191124", "Scope": "FAILED_FILES_ONLY"}

    # own_fs links s3://fsx-drt-demo-data/exports/ and /imports/ only.
    for outside in ("s3://fsx-drt-demo-data/reports", "s3://fsx-drt-demo-data/exportsX/reports", "s3://other-bucket/exports/r"):
        err = expect_error("BadRequest", ctx.fsx.create_data_repository_task, Report=report(outside), **export)
        assert "Report.Path" in err["Error"]["Message"], err
    # An older linked file system: the ExportPath counts, not the ImportPath.
    linked = new_lustre_fs(
        "2.12", DeploymentType="SCRATCH_2", ImportPath="s3://fsx-drt-demo-data/linked/", ExportPath="s3://fsx-drt-demo-data/linked/out/"
    )["FileSystemId"]
    export.update(FileSystemId=linked)
    expect_error("BadRequest", ctx.fsx.create_data_repository_task, Report=report("s3://fsx-drt-demo-data/linked/r"), **export)
    task = ctx.fsx.create_data_repository_task(Report=report("s3://fsx-drt-demo-data/linked/out/r"), **export)
    assert task["DataRepositoryTask"]["Lifecycle"] == "PENDING", task
    # No data repository at all: the call fails.
    export.update(FileSystemId=new_lustre_fs()["FileSystemId"])
    expect_error("BadRequest", ctx.fsx.create_data_repository_task, Report=NO_REPORT, **export)


def check_invalid_paths_fail_the_task() -> None:
    """Paths are checked when the task runs: the call succeeds, the task ends FAILED."""
    cases = [
        ("EXPORT_TO_REPOSITORY", "/data/x", "FAILED"),
        ("EXPORT_TO_REPOSITORY", "/", "FAILED"),
        ("EXPORT_TO_REPOSITORY", "data/x", "SUCCEEDED"),
        ("RELEASE_DATA_FROM_FILESYSTEM", "/data/x", "FAILED"),
        ("RELEASE_DATA_FROM_FILESYSTEM", "/", "SUCCEEDED"),
        ("IMPORT_METADATA_FROM_REPOSITORY", "fsx-drt-demo-data/paths-5/x", "FAILED"),
        ("IMPORT_METADATA_FROM_REPOSITORY", "s3://fsx-drt-demo-data/paths-6/x", "SUCCEEDED"),
    ]
    started = []
    for i, (task_type, path, _) in enumerate(cases):
        fs_id = new_linked_fs(f"paths-{i}")
        task = ctx.fsx.create_data_repository_task(Type=task_type, FileSystemId=fs_id, Paths=[path], Report=NO_REPORT)
        assert task["DataRepositoryTask"]["Lifecycle"] == "PENDING", task
        started.append(task["DataRepositoryTask"]["TaskId"])
    for task_id, (task_type, path, expected) in zip(started, cases):
        task, _ = wait_for(task_id, {"SUCCEEDED", "FAILED", "CANCELED"})
        assert task["Lifecycle"] == expected, (task_type, path, task)
        if expected == "FAILED":
            assert path in task["FailureDetails"]["Message"], task
            status = task["Status"]
            assert (status["TotalCount"], status["SucceededCount"], status["FailedCount"]) == (0, 0, 0), task


def check_completion_reports() -> None:
    """A task ending with failed files (partial-N) or FAILED (fail) writes its completion report
    where the API reference says, in the user guide's format; a clean one writes none."""
    s3 = client("s3")
    report = {"Enabled": True, "Path": "s3://fsx-drt-demo-data/reports-1/reports", "Format": "REPORT_CSV_20191124", "Scope": "FAILED_FILES_ONLY"}
    cases = [("data/partial-4", "SUCCEEDED", (14, 10, 4)), ("data/fail", "FAILED", (1, 0, 1)), ("data/ok", "SUCCEEDED", (0, 0, 0))]
    for path, lifecycle, counts in cases:
        fs_id = new_linked_fs("reports-1")
        task = ctx.fsx.create_data_repository_task(Type="EXPORT_TO_REPOSITORY", FileSystemId=fs_id, Paths=[path], Report=report)
        task, _ = wait_for(task["DataRepositoryTask"]["TaskId"], {"SUCCEEDED", "FAILED", "CANCELED"})
        status = task["Status"]
        assert task["Lifecycle"] == lifecycle and (status["TotalCount"], status["SucceededCount"], status["FailedCount"]) == counts, task
        key = f"reports-1/reports/{task['TaskId']}/failures.csv"
        listed = s3.list_objects_v2(Bucket="fsx-drt-demo-data", Prefix=f"reports-1/reports/{task['TaskId']}/").get("Contents", [])
        if counts[2] == 0:
            assert listed == [], listed
            continue
        assert [o["Key"] for o in listed] == [key], listed
        body = s3.get_object(Bucket="fsx-drt-demo-data", Key=key)["Body"].read().decode()
        if lifecycle == "FAILED":
            assert body == "data/fail/file-000.dat,failed,S3AccessDenied\n", body
        else:
            assert body == (
                "data/partial-4/file-000.dat,failed,FileSizeTooLarge\n"
                '"data/partial-4/file-001,""1"".dat",failed,S3AccessDenied\n'
                "data/partial-4/@file-002.dat,failed,FileSizeTooLarge\n"
                '"data/partial-4/file-003,""3"".dat",failed,S3AccessDenied\n'
            ), body


def check_auto_export_blocks_export_tasks() -> None:
    fs_id = new_linked_fs("auto-export", AutoExportPolicy={"Events": ["NEW", "CHANGED"]})
    plain = new_linked_fs("no-auto-export")
    status, body = admin_post("/auto-export", {"FileSystemId": plain, "Running": True})
    assert status == 400 and body["__type"] == "BadRequest", (status, body)
    status, body = admin_post("/auto-export", {"FileSystemId": fs_id, "Running": True})
    assert status == 200 and body["Running"] is True and len(body["AssociationIds"]) == 1, (status, body)
    export = dict(Type="EXPORT_TO_REPOSITORY", FileSystemId=fs_id, Paths=["x"], Report=NO_REPORT)
    err = expect_error("DataRepositoryTaskExecuting", ctx.fsx.create_data_repository_task, **export)
    assert "Automatic export" in err["Error"]["Message"], err
    # Only export conflicts with automatic export.
    task = ctx.fsx.create_data_repository_task(Type="IMPORT_METADATA_FROM_REPOSITORY", FileSystemId=fs_id, Report=NO_REPORT)
    ctx.fsx.cancel_data_repository_task(TaskId=task["DataRepositoryTask"]["TaskId"])
    wait_for(task["DataRepositoryTask"]["TaskId"], {"CANCELED"})
    assert admin_post("/auto-export", {"FileSystemId": fs_id, "Running": False})[0] == 200
    assert ctx.fsx.create_data_repository_task(**export)["DataRepositoryTask"]["Lifecycle"] == "PENDING"


def check_status_refresh_pace() -> None:
    """A running task's Status is the one of FSx's last refresh (default every 30 s); final at the end."""
    if os.environ.get("FSX_DRT_EMULATOR_TEST_ENDPOINT"):
        return  # its refresh period is its own
    task_id = ctx.fsx.create_data_repository_task(
        Type="EXPORT_TO_REPOSITORY", FileSystemId=new_linked_fs("refresh"), Paths=["x"], Report=NO_REPORT
    )["DataRepositoryTask"]["TaskId"]
    first, _ = wait_for(task_id, {"EXECUTING", "SUCCEEDED"})
    time.sleep(0.2)
    second = describe_task(task_id)
    assert first["Lifecycle"] == second["Lifecycle"] == "EXECUTING", (first, second)
    for task in (first, second):
        assert task["Status"]["LastUpdatedTime"] == task["StartTime"], task  # not refreshed yet
    done, _ = wait_for(task_id, {"SUCCEEDED"})
    assert done["Status"]["LastUpdatedTime"] == done["EndTime"], done  # final counts with the end


def check_cloudformation() -> None:
    cfn = client("cloudformation")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fsx-drt-emulator-check"}}},
        "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
    }
    name = f"fsx-drt-emulator-check-{int(time.time())}"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    deadline = time.monotonic() + 30
    while True:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        assert time.monotonic() < deadline, stack
        time.sleep(0.2)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    url = stack["Outputs"][0]["OutputValue"]
    assert url.endswith("/fsx-drt-emulator-check"), url
    assert any(u.endswith("/fsx-drt-emulator-check") for u in client("sqs").list_queues().get("QueueUrls", [])), "queue missing"
    cfn.delete_stack(StackName=name)

    # Through a change set: outputs must show (emulator/moto_fixes.py).
    template["Resources"]["Queue"]["Properties"]["QueueName"] = "fsx-drt-emulator-check-cs"
    cs_name = name + "-cs"
    cfn.create_change_set(StackName=cs_name, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(template))
    cfn.execute_change_set(StackName=cs_name, ChangeSetName="c1")
    stack = cfn.describe_stacks(StackName=cs_name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    assert outputs.get("QueueUrl", "").endswith("/fsx-drt-emulator-check-cs"), stack
    cfn.delete_stack(StackName=cs_name)


def check_change_set_names_are_per_stack() -> None:
    """Two stacks' change sets may share a name, as in CloudFormation: describing, deleting
    or executing one by stack and name acts on that stack's (moto 5.2.5 took any of that
    name; moto_fixes.py fix 14)."""
    cfn = client("cloudformation")
    base = f"fsx-drt-emulator-names-{int(time.time())}"
    ids = {}
    for n in (1, 2):
        template = {"Description": f"stack {n}", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
        ids[n] = cfn.create_change_set(
            StackName=f"{base}-{n}", ChangeSetName="same", ChangeSetType="CREATE", TemplateBody=json.dumps(template)
        )["Id"]
        cfn.create_change_set(
            StackName=f"{base}-{n}", ChangeSetName=f"gone-{n}", ChangeSetType="CREATE", TemplateBody=json.dumps(template)
        )
    for n in (1, 2):
        described = cfn.describe_change_set(StackName=f"{base}-{n}", ChangeSetName="same")
        assert described["ChangeSetId"] == ids[n], (n, described["ChangeSetId"], ids)
    try:
        cfn.describe_change_set(StackName=f"{base}-1", ChangeSetName="gone-2")
        raise AssertionError("another stack's change set was answered")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ChangeSetNotFound", exc.response
    cfn.delete_change_set(StackName=f"{base}-2", ChangeSetName="gone-2")
    assert cfn.describe_change_set(StackName=f"{base}-1", ChangeSetName="gone-1")["ChangeSetName"] == "gone-1"
    cfn.delete_change_set(StackName=f"{base}-1", ChangeSetName="gone-1")
    for n in (1, 2):
        cfn.execute_change_set(StackName=f"{base}-{n}", ChangeSetName="same")
    for n in (1, 2):
        stack = cfn.describe_stacks(StackName=f"{base}-{n}")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack
        assert stack.get("Description") == f"stack {n}", stack
        cfn.delete_stack(StackName=f"{base}-{n}")


def stack_event_tokens(cfn: Any, stack: str) -> list[tuple[str, str | None]]:
    """(ResourceStatus, ClientRequestToken) of the stack's own events, oldest first."""
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["ResourceStatus"], e.get("ClientRequestToken")) for e in reversed(events) if e["ResourceType"] == "AWS::CloudFormation::Stack"]


def check_stack_events_carry_client_request_token() -> None:
    """Every event of an operation has the ClientRequestToken it was called with (moto_fixes.py fix 3)."""
    cfn = client("cloudformation")
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fsx-drt-emulator-tokens"}}}}
    stack = f"fsx-drt-emulator-tokens-{int(time.time())}"
    cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(template))
    cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="exec-1")
    template["Outputs"] = {"Url": {"Value": {"Ref": "Queue"}}}
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template), ClientRequestToken="update-1")
    template["Outputs"] = {"Url2": {"Value": {"Ref": "Queue"}}}
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template))  # no token: none on its events
    stack_id = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack, ClientRequestToken="delete-1")
    assert stack_event_tokens(cfn, stack_id) == [
        ("REVIEW_IN_PROGRESS", None),
        ("CREATE_IN_PROGRESS", "exec-1"),
        ("CREATE_COMPLETE", "exec-1"),
        ("UPDATE_IN_PROGRESS", "update-1"),
        ("UPDATE_COMPLETE", "update-1"),
        ("UPDATE_IN_PROGRESS", None),
        ("UPDATE_COMPLETE", None),
        ("DELETE_IN_PROGRESS", "delete-1"),
        ("DELETE_COMPLETE", "delete-1"),
    ], stack_event_tokens(cfn, stack_id)
    cfn.create_stack(StackName=stack + "-direct", TemplateBody=json.dumps(template).replace("tokens", "tokens-direct"), ClientRequestToken="create-1")
    assert stack_event_tokens(cfn, stack + "-direct") == [("CREATE_IN_PROGRESS", "create-1"), ("CREATE_COMPLETE", "create-1")]
    cfn.delete_stack(StackName=stack + "-direct")


def lambda_zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def check_event_invoke_config_in_templates() -> None:
    """AWS::Lambda::EventInvokeConfig is created, updated and deleted with the stack (moto_fixes.py fix 4)."""
    cfn, lam = client("cloudformation"), client("lambda")
    role = client("iam").create_role(
        RoleName=f"fsx-drt-emulator-eic-{int(time.time())}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    function = f"fsx-drt-emulator-eic-{int(time.time())}"  # outside the stack, so it outlives it
    lam.create_function(FunctionName=function, Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": lambda_zip()})

    def template(retries: int, age: int) -> str:
        config = {
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {"FunctionName": function, "Qualifier": "$LATEST", "MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": age},
        }
        return json.dumps({"Resources": {"Config": config}})

    def config() -> tuple[int, int]:
        got = lam.get_function_event_invoke_config(FunctionName=function)
        return got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]

    stack = function
    cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=template(0, 60))
    cfn.execute_change_set(StackName=stack, ChangeSetName="c1")
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert config() == (0, 60), config()
    cfn.create_change_set(StackName=stack, ChangeSetName="c2", ChangeSetType="UPDATE", TemplateBody=template(2, 21600))
    changes = cfn.describe_change_set(StackName=stack, ChangeSetName="c2")["Changes"]
    assert [c["ResourceChange"]["Action"] for c in changes] == ["Modify"], changes
    cfn.execute_change_set(StackName=stack, ChangeSetName="c2")
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert config() == (2, 21600), config()
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    assert [r["ResourceType"] for r in resources] == ["AWS::Lambda::EventInvokeConfig"], resources
    cfn.delete_stack(StackName=stack)
    try:
        lam.get_function_event_invoke_config(FunctionName=function)
        raise AssertionError("the stack's EventInvokeConfig outlived the stack")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException", exc


def check_conditions_on_update() -> None:
    """On an update a resource whose Condition turns false goes, one whose Condition turns true
    comes, and a KMS key whose entry changed is kept (moto_fixes.py fixes 7 and 8)."""
    cfn, sns = client("cloudformation"), client("sns")
    stack = f"fsx-drt-emulator-cond-{int(time.time())}"

    def template(conditional: bool) -> str:
        key: dict[str, Any] = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}}
        topic: dict[str, Any] = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}}
        outputs: dict[str, Any] = {"KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}
        if conditional:
            for entry in (key, topic, outputs["KeyArn"]):
                entry["Condition"] = "Own"
        return json.dumps({
            "Parameters": {"Team": {"Type": "String", "Default": ""}},
            "Conditions": {"Own": {"Fn::Equals": [{"Ref": "Team"}, ""]}},
            "Resources": {"Key": key, "Topic": topic},
            "Outputs": outputs,
        })

    def deploy(name: str, kind: str, conditional: bool, team: str) -> list[str]:
        cfn.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType=kind, TemplateBody=template(conditional), Parameters=[{"ParameterKey": "Team", "ParameterValue": team}])
        cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]  # HTTP 500 when a resource was lost
        assert described["StackStatus"].endswith("_COMPLETE"), described
        resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
        return sorted(r.get("ResourceType", "") for r in resources) + sorted(o["OutputKey"] for o in described.get("Outputs", []))

    topics = lambda: len(sns.list_topics()["Topics"])  # noqa: E731
    deploy("c1", "CREATE", False, "")
    before = topics()
    # The entries gain a Condition that holds: nothing changes, the key is kept.
    assert deploy("c2", "UPDATE", True, "") == ["AWS::KMS::Key", "AWS::SNS::Topic", "KeyArn"]
    assert deploy("c3", "UPDATE", True, "team") == [], "resources whose condition is false stay"
    assert topics() == before - 1, (topics(), before)
    assert deploy("c4", "UPDATE", True, "") == ["AWS::KMS::Key", "AWS::SNS::Topic", "KeyArn"]
    assert topics() == before
    cfn.delete_stack(StackName=stack)


def check_change_set_tags() -> None:
    """A change set's Tags become the stack's; one changing only the tags is no empty change
    set; one without Tags keeps the stack's (moto_fixes.py fix 9)."""
    cfn = client("cloudformation")
    stack = f"fsx-drt-emulator-tags-{int(time.time())}"
    body = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})

    def deploy(name: str, kind: str, **tags: str) -> tuple[str, list[list[str]]]:
        given = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
        cfn.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType=kind, TemplateBody=body, **given)
        status = cfn.describe_change_set(StackName=stack, ChangeSetName=name)["Status"]
        if status != "FAILED":
            cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        shown = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Tags", [])
        return status, sorted([t["Key"], t["Value"]] for t in shown)

    assert deploy("c1", "CREATE", team="hpc") == ("CREATE_COMPLETE", [["team", "hpc"]])
    assert deploy("c2", "UPDATE", team="hpc") == ("FAILED", [["team", "hpc"]])
    assert deploy("c3", "UPDATE", team="storage") == ("CREATE_COMPLETE", [["team", "storage"]])
    assert deploy("c4", "UPDATE") == ("FAILED", [["team", "storage"]])
    cfn.delete_stack(StackName=stack)


def check_template_rules() -> None:
    """A template's Rules refuse parameter values whose assertion is false, before anything is
    made; values that pass go through (template_fixes.py fix 2)."""
    cfn = client("cloudformation")
    stack = f"fsx-drt-emulator-rules-{int(time.time())}"
    either = {"Fn::Or": [
        {"Fn::And": [{"Fn::Not": [{"Fn::Equals": [{"Ref": "A"}, ""]}]}, {"Fn::Equals": [{"Ref": "B"}, ""]}]},
        {"Fn::And": [{"Fn::Equals": [{"Ref": "A"}, ""]}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "B"}, ""]}]}]},
    ]}
    body = json.dumps({
        "Parameters": {"A": {"Type": "String", "Default": ""}, "B": {"Type": "String", "Default": ""}},
        "Rules": {"AOrB": {"Assertions": [{"Assert": either, "AssertDescription": "Give A or B, not both."}]}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    })
    p = lambda **v: [{"ParameterKey": k, "ParameterValue": x} for k, x in v.items()]  # noqa: E731
    for values in ({"A": "x", "B": "y"}, {}):
        try:
            cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=body, Parameters=p(**values))
            raise AssertionError(f"{values} passed the rule")
        except ClientError as exc:
            error = exc.response["Error"]
            assert (error["Code"], error["Message"]) == ("ValidationError", "Give A or B, not both."), error
        try:
            cfn.create_stack(StackName=stack, TemplateBody=body, Parameters=p(**values))
            raise AssertionError(f"{values} passed the rule")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ValidationError", exc
    assert not [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] == stack and s["StackStatus"] != "DELETE_COMPLETE"]
    cfn.create_stack(StackName=stack, TemplateBody=body, Parameters=p(A="x"))
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    try:
        cfn.update_stack(StackName=stack, TemplateBody=body, Parameters=p(A="x", B="y"))
        raise AssertionError("the update passed the rule")
    except ClientError as exc:
        assert exc.response["Error"]["Message"] == "Give A or B, not both.", exc
    cfn.delete_stack(StackName=stack)


def check_termination_protection() -> None:
    """DeleteStack refuses a protected stack; UpdateTerminationProtection switches it (moto_fixes.py fix 5)."""
    cfn = client("cloudformation")
    stack = f"fsx-drt-emulator-protected-{int(time.time())}"
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": stack}}}}
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template), EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["EnableTerminationProtection"] is True
    err = expect_error("ValidationError", cfn.delete_stack, StackName=stack)
    assert err["Error"]["Message"] == f"Stack [{stack}] cannot be deleted while TerminationProtection is enabled", err
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    stack_id = cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=False)["StackId"]
    assert stack_id == cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["EnableTerminationProtection"] is False
    cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=True)
    expect_error("ValidationError", cfn.delete_stack, StackName=stack_id)  # by id too
    cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=False)
    cfn.delete_stack(StackName=stack)
    expect_error("ValidationError", cfn.describe_stacks, StackName=stack)
    expect_error("ValidationError", cfn.update_termination_protection, StackName=stack, EnableTerminationProtection=True)


def check_change_sets_the_stack_outgrew() -> None:
    """Executing one change set deletes the stack's others; a spent or unknown one is refused
    (moto_fixes.py fix 7), and LastUpdatedTime follows updates."""
    cfn = client("cloudformation")
    stack = f"fsx-drt-emulator-reviewed-{int(time.time())}"

    def template(name: str) -> str:
        return json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name}}}})

    cfn.create_stack(StackName=stack, TemplateBody=template(stack))
    assert "LastUpdatedTime" not in cfn.describe_stacks(StackName=stack)["Stacks"][0]
    for name in ("first", "second"):
        cfn.create_change_set(
            StackName=stack, ChangeSetName=name, ChangeSetType="UPDATE", TemplateBody=template(f"{stack}-{name}")
        )
    created = cfn.describe_change_set(StackName=stack, ChangeSetName="first")["CreationTime"]
    cfn.execute_change_set(StackName=stack, ChangeSetName="second")
    updated = cfn.describe_stacks(StackName=stack)["Stacks"][0]["LastUpdatedTime"]
    assert updated >= created, (updated, created)
    try:
        cfn.describe_change_set(StackName=stack, ChangeSetName="first")
        raise AssertionError("the outgrown change set is still there")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ChangeSetNotFound", exc.response
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404, exc.response
    spent = cfn.describe_change_set(StackName=stack, ChangeSetName="second")
    assert spent["ExecutionStatus"] == "EXECUTE_COMPLETE", spent
    err = expect_error("InvalidChangeSetStatus", cfn.execute_change_set, StackName=stack, ChangeSetName="second")
    assert "EXECUTE_COMPLETE" in err["Error"]["Message"], err
    cfn.update_stack(StackName=stack, TemplateBody=template(f"{stack}-direct"))
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["LastUpdatedTime"] >= updated
    cfn.delete_stack(StackName=stack)
def check_drift_detection_is_an_invalid_action() -> None:
    """No drift detection: InvalidAction (400) at once, never an answer it did not compute (moto_fixes.py fix 7)."""
    cfn = client("cloudformation")
    for fn, kwargs in [
        (cfn.detect_stack_drift, {"StackName": "any"}),
        (cfn.detect_stack_resource_drift, {"StackName": "any", "LogicalResourceId": "Function"}),
        (cfn.describe_stack_drift_detection_status, {"StackDriftDetectionId": "b78ac9b0-dec1-11e7-a451-503a3e7b0c91"}),
        (cfn.describe_stack_resource_drifts, {"StackName": "any"}),
    ]:
        err = expect_error("InvalidAction", fn, **kwargs)
        assert err["Error"]["Message"].startswith("The action or operation requested is invalid"), err


SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/fsx-drt-emulator-scheduler"
SCHEDULER_TARGET = "arn:aws:lambda:us-east-1:123456789012:function:fsx-drt-emulator-scheduler"


def scheduler_template(group: str, berlin: dict[str, Any], other: dict[str, Any]) -> str:
    """A group and two schedules in it (emulator/scheduler_resources.py); each dict overrides properties."""

    def schedule(name: str, overrides: dict[str, Any]) -> dict[str, Any]:
        properties = {
            "Name": name,
            "GroupName": {"Ref": "Group"},
            "ScheduleExpression": "cron(0 2 * * ? *)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": SCHEDULER_TARGET,
                "RoleArn": SCHEDULER_ROLE,
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            },
        }
        return {"Type": "AWS::Scheduler::Schedule", "Properties": {**properties, **overrides}}

    return json.dumps(
        {
            "Resources": {
                "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": group}},
                "Berlin": schedule("berlin", berlin),
                "Other": schedule("other", other),
            },
            "Outputs": {
                "GroupArn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}},
                "GroupState": {"Value": {"Fn::GetAtt": ["Group", "State"]}},
                "BerlinArn": {"Value": {"Fn::GetAtt": ["Berlin", "Arn"]}},
                "Other": {"Value": {"Ref": "Other"}},
            },
        }
    )


def stack_status(cfn: Any, stack: str) -> str:
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


REPO = HERE.parent
REFERENCE_TEMPLATE = REPO / "tests" / "data" / "reference-template.yaml"  # the AWS sample fsx-drt adopts
EARLIER_TEMPLATE = REPO / "tests" / "data" / "fsx-drt-eventbridge-rule.yaml"  # fsx-drt's template before Scheduler
FSX_DRT_TEMPLATE = REPO / "templates" / "fsx-drt.yaml"


def cfn_parameters(**values: str) -> list[dict[str, Any]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def reference_stack(cfn: Any, stack: str) -> None:
    cfn.create_stack(
        StackName=stack,
        TemplateBody=REFERENCE_TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=cfn_parameters(
            EmailAddress="ops@example.com", FileSystemId=ctx.fs_id, Paths="/data", Schedule="cron(0 6 * * ? *)", TaskType="Import"
        ),
    )


def check_find_in_map() -> None:
    """Fn::FindInMap reads the Mappings even where a parameter has the mapping's name (the reference
    template's TaskType; moto answered HTTP 500), and refuses unknown names and keys (template_fixes.py)."""
    cfn = client("cloudformation")
    stack = f"fsx-drt-emulator-reference-{int(time.time())}"
    reference_stack(cfn, stack)
    assert stack_status(cfn, stack) == "CREATE_COMPLETE"
    resources = {r["LogicalResourceId"]: r for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    function = client("lambda").get_function(FunctionName=resources["Function"]["PhysicalResourceId"])["Configuration"]
    assert function["Environment"]["Variables"]["TASK_TYPE"] == "IMPORT_METADATA_FROM_REPOSITORY", function
    assert resources["EventRule"]["PhysicalResourceId"] == f"{stack}-scheduled-event", resources
    cfn.delete_stack(StackName=stack)

    template = {
        "Parameters": {"Key": {"Type": "String"}},
        "Mappings": {"Key": {"a": {"Name": "fsx-drt-emulator-map-a"}}, REGION: {"x": {"Name": "in-region"}}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::FindInMap": ["Key", {"Ref": "Key"}, "Name"]}}}},
        "Outputs": {"Region": {"Value": {"Fn::FindInMap": [{"Ref": "AWS::Region"}, "x", "Name"]}}},
    }
    stack = f"fsx-drt-emulator-map-{int(time.time())}"
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template), Parameters=cfn_parameters(Key="a"))
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"][0]["OutputValue"] == "in-region"
    assert any(u.endswith("/fsx-drt-emulator-map-a") for u in client("sqs").list_queues()["QueueUrls"])
    unknown_key = "Template error: Unable to get mapping for Key::b::Name"
    for fn, kwargs in [
        (cfn.create_stack, {"StackName": stack + "-b"}),
        (cfn.update_stack, {"StackName": stack}),
        (cfn.create_change_set, {"StackName": stack, "ChangeSetName": "b", "ChangeSetType": "UPDATE"}),
    ]:
        error = expect_error("ValidationError", fn, TemplateBody=json.dumps(template), Parameters=cfn_parameters(Key="b"), **kwargs)
        assert error["Error"]["Message"] == unknown_key, error
    expect_error("ValidationError", cfn.describe_stacks, StackName=stack + "-b")  # no stack left
    assert stack_status(cfn, stack) == "CREATE_COMPLETE"
    template["Outputs"]["Region"]["Value"]["Fn::FindInMap"][0] = "Nowhere"
    error = expect_error("ValidationError", cfn.create_stack, StackName=stack + "-n", TemplateBody=json.dumps(template), Parameters=cfn_parameters(Key="a"))
    assert error["Error"]["Message"] == "Template error: Mapping named 'Nowhere' is not present in the 'Mappings' section of template.", error
    cfn.delete_stack(StackName=stack)


def check_rule_stacks_move_to_a_schedule() -> None:
    """A stack of the reference template (by a change set) and one of fsx-drt's EventBridge-rule
    template (by UpdateStack) update in place to templates/fsx-drt.yaml: the rule goes, the
    Scheduler schedule comes with the stack's own expression, read in UTC."""
    cfn, s3, events, scheduler = client("cloudformation"), client("s3"), client("events"), client("scheduler")
    base = f"fsx-drt-emulator-move-{int(time.time())}"
    s3.create_bucket(Bucket=base)
    s3.put_object(Bucket=base, Key="code.zip", Body=(REPO / "tests" / "data" / "bootstrap.zip").read_bytes())
    code = cfn_parameters(CodeBucket=base, CodeKey="code.zip")
    reference, earlier = base + "-reference", base + "-earlier"
    reference_stack(cfn, reference)
    cfn.create_stack(
        StackName=earlier,
        TemplateBody=EARLIER_TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_IAM"],
        Parameters=cfn_parameters(EmailAddress="ops@example.com", FileSystemId=ctx.fs_id, Paths="/data", Schedule="cron(15 6 * * ? *)") + code,
    )
    assert [stack_status(cfn, reference), stack_status(cfn, earlier)] == ["CREATE_COMPLETE", "CREATE_COMPLETE"]
    kept = [{"ParameterKey": key, "UsePreviousValue": True} for key in ("EmailAddress", "FileSystemId", "Paths", "Schedule", "TaskType")]
    utc = cfn_parameters(Timezone="UTC")
    new = {"TemplateBody": FSX_DRT_TEMPLATE.read_text(), "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]}
    cfn.create_change_set(StackName=reference, ChangeSetName="move", ChangeSetType="UPDATE", Parameters=kept + utc + code + cfn_parameters(TaskCompletionReportPath="/fsx-drt-completion-reports"), **new)
    changes = cfn.describe_change_set(StackName=reference, ChangeSetName="move")["Changes"]
    actions = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]["Action"] for c in changes}
    assert (actions["EventRule"], actions["TaskSchedule"]) == ("Remove", "Add"), actions
    cfn.execute_change_set(StackName=reference, ChangeSetName="move")
    cfn.update_stack(StackName=earlier, Parameters=kept[:4] + utc + code, **new)
    for stack, expression in [(reference, "cron(0 6 * * ? *)"), (earlier, "cron(15 6 * * ? *)")]:
        assert stack_status(cfn, stack) == "UPDATE_COMPLETE", stack
        types = {r["LogicalResourceId"]: r["ResourceType"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
        assert "AWS::Events::Rule" not in types.values() and types["TaskSchedule"] == "AWS::Scheduler::Schedule", (stack, types)
        group = [r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"] if r["LogicalResourceId"] == "ScheduleGroup"][0]
        [listed] = scheduler.list_schedules(GroupName=group)["Schedules"]
        got = scheduler.get_schedule(GroupName=group, Name=listed["Name"])
        assert (got["ScheduleExpression"], got["ScheduleExpressionTimezone"]) == (expression, "UTC"), got
    left = [r["Name"] for r in events.list_rules()["Rules"] if r["Name"].startswith(base)]
    assert left == [], left
    for stack in (reference, earlier):
        cfn.delete_stack(StackName=stack)


def check_scheduler_schedules_in_stacks() -> None:
    """A ScheduleGroup and two Schedules are created, updated and deleted with the stack; an
    update that Scheduler refuses rolls back (scheduler_resources.py, stack_rollback.py)."""
    cfn, scheduler = client("cloudformation"), client("scheduler")
    stack = group = f"fsx-drt-emulator-scheduler-{int(time.time())}"
    berlin = {"ScheduleExpressionTimezone": "Europe/Berlin", "Target": {"Arn": SCHEDULER_TARGET, "RoleArn": SCHEDULER_ROLE, "Input": '{"task": "export"}'}}
    cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=scheduler_template(group, berlin, {}))
    cfn.execute_change_set(StackName=stack, ChangeSetName="c1")
    assert stack_status(cfn, stack) == "CREATE_COMPLETE"
    listed = scheduler.list_schedules(GroupName=group)["Schedules"]
    assert sorted((s["Name"], s["State"]) for s in listed) == [("berlin", "ENABLED"), ("other", "ENABLED")], listed
    got = scheduler.get_schedule(GroupName=group, Name="berlin")
    assert got["ScheduleExpressionTimezone"] == "Europe/Berlin" and got["Target"]["Input"] == '{"task": "export"}', got
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
    assert outputs == {
        "GroupArn": f"arn:aws:scheduler:{REGION}:123456789012:schedule-group/{group}",
        "GroupState": "ACTIVE",
        "BerlinArn": f"arn:aws:scheduler:{REGION}:123456789012:schedule/{group}/berlin",
        "Other": "other",
    }, outputs

    update = scheduler_template(group, {**berlin, "ScheduleExpression": "rate(6 hours)"}, {"State": "DISABLED"})
    cfn.create_change_set(StackName=stack, ChangeSetName="c2", ChangeSetType="UPDATE", TemplateBody=update)
    cfn.execute_change_set(StackName=stack, ChangeSetName="c2")
    assert stack_status(cfn, stack) == "UPDATE_COMPLETE"
    got = {s["Name"]: scheduler.get_schedule(GroupName=group, Name=s["Name"]) for s in scheduler.list_schedules(GroupName=group)["Schedules"]}
    assert (got["berlin"]["ScheduleExpression"], got["berlin"]["State"], got["berlin"]["ScheduleExpressionTimezone"]) == ("rate(6 hours)", "ENABLED", "Europe/Berlin"), got
    assert (got["other"]["ScheduleExpression"], got["other"]["State"]) == ("cron(0 2 * * ? *)", "DISABLED"), got

    refused = scheduler_template(group, {**berlin, "ScheduleExpression": "rate(0 hours)"}, {})
    cfn.update_stack(StackName=stack, TemplateBody=refused)
    assert stack_status(cfn, stack) == "UPDATE_ROLLBACK_COMPLETE"
    assert cfn.get_template(StackName=stack)["TemplateBody"] == json.loads(update)  # the one in force
    failed = [e for e in cfn.describe_stack_events(StackName=stack)["StackEvents"] if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed and failed[0]["LogicalResourceId"] == "Berlin", failed
    assert "Invalid Schedule Expression rate(0 hours)." in failed[0]["ResourceStatusReason"], failed
    assert scheduler.get_schedule(GroupName=group, Name="berlin")["ScheduleExpression"] == "rate(6 hours)"
    assert scheduler.get_schedule(GroupName=group, Name="other")["State"] == "DISABLED"

    cfn.delete_stack(StackName=stack)
    assert not [s for s in scheduler.list_schedules()["Schedules"] if s["GroupName"] == group]
    assert group not in [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]


def check_scheduler_bad_timezone_rolls_back_create() -> None:
    """A schedule whose ScheduleExpressionTimezone is no IANA zone fails; the stack rolls back
    and nothing of it is left."""
    cfn, scheduler = client("cloudformation"), client("scheduler")
    stack = group = f"fsx-drt-emulator-scheduler-tz-{int(time.time())}"
    bad = {"ScheduleExpressionTimezone": "Europe/Berlim"}
    cfn.create_stack(StackName=stack, TemplateBody=scheduler_template(group, bad, {}))
    assert stack_status(cfn, stack) == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    assert [e["ResourceStatus"] for e in events[:3]] == ["ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS", "CREATE_FAILED"], events
    assert events[2]["LogicalResourceId"] == "Berlin" and "Europe/Berlim" in events[2]["ResourceStatusReason"], events[2]
    assert group not in [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert not cfn.describe_stack_resources(StackName=stack)["StackResources"]
    cfn.delete_stack(StackName=stack)


def api_error(fn: Callable[..., Any], **kwargs: Any) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a call that must fail."""
    try:
        fn(**kwargs)
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    raise AssertionError(f"call succeeded: {kwargs}")


def check_scheduler_api_refuses_what_scheduler_refuses() -> None:
    """CreateSchedule, UpdateSchedule and CreateScheduleGroup answer as Scheduler does (scheduler_rules.py)."""
    scheduler = client("scheduler")
    name = f"fsx-drt-emulator-api-{int(time.time())}"
    valid = {
        "Name": name,
        "ScheduleExpression": "rate(1 day)",
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        "Target": {"Arn": SCHEDULER_TARGET, "RoleArn": SCHEDULER_ROLE},
    }
    refused = [
        ({"ScheduleExpression": "cron(0 2 * * * *)"}, "Invalid Schedule Expression cron(0 2 * * * *)."),
        ({"ScheduleExpression": "at(2030-01-01)"}, "Invalid Schedule Expression at(2030-01-01)."),
        ({"ScheduleExpressionTimezone": "Mars/Olympus"}, "Invalid Schedule Expression Timezone Mars/Olympus."),
        (
            {"FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1441}},
            "1 validation error detected: Value '1441' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy "
            "constraint: Member must have value less than or equal to 1440",
        ),
        (
            {"State": "PAUSED", "Target": {**valid["Target"], "RetryPolicy": {"MaximumRetryAttempts": 186}}},
            "2 validation errors detected: Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy "
            "enum value set: [ENABLED, DISABLED]; Value '186' at 'target.retryPolicy.maximumRetryAttempts' failed to "
            "satisfy constraint: Member must have value less than or equal to 185",
        ),
    ]
    for change, message in refused:
        assert api_error(scheduler.create_schedule, **{**valid, **change}) == (400, "ValidationException", message), change
    assert api_error(scheduler.create_schedule, **valid, GroupName="no-such-group") == (
        404, "ResourceNotFoundException", "Schedule group no-such-group does not exist."
    )
    scheduler.create_schedule(**valid)
    assert api_error(scheduler.create_schedule, **valid)[:2] == (409, "ConflictException")
    assert api_error(scheduler.update_schedule, **{**valid, "ScheduleExpression": "rate(0 days)"})[:2] == (400, "ValidationException")
    scheduler.update_schedule(**{**valid, "ScheduleExpression": "rate(2 days)"})
    got = scheduler.get_schedule(Name=name)
    assert (got["ScheduleExpression"], got["State"]) == ("rate(2 days)", "ENABLED"), got
    scheduler.delete_schedule(Name=name)
    assert api_error(scheduler.create_schedule_group, Name="default")[:2] == (409, "ConflictException")
    assert api_error(scheduler.delete_schedule_group, Name="no-such-group")[:2] == (404, "ResourceNotFoundException")


def check_one_time_schedules_as_the_function_makes_them() -> None:
    """What fsx_drt_core::later::Later::invoke_at sends is accepted, read back and listed by prefix."""
    scheduler = client("scheduler")
    group = f"fsx-drt-emulator-later-{int(time.time())}"
    scheduler.create_schedule_group(Name=group)
    name = "fsx-drt-defer-0123456789abcdef-1"
    event = '{"Schedule": "nightly-export", "Deferral": {"Attempt": 1}}'
    request = {
        "Name": name,
        "GroupName": group,
        "ScheduleExpression": "at(2030-01-01T22:05:00)",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Description": "fsx-drt: try 1 of nightly-export, the file system was busy",
        "Target": {
            "Arn": SCHEDULER_TARGET,
            "RoleArn": SCHEDULER_ROLE,
            "Input": event,
            "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600},
        },
    }
    assert api_error(scheduler.create_schedule, **{**request, "ActionAfterCompletion": "REMOVE"}) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'REMOVE' at 'actionAfterCompletion' failed to satisfy constraint: "
        "Member must satisfy enum value set: [NONE, DELETE]",
    )
    scheduler.create_schedule(**request)
    # A retried invocation making the same try again: ConflictException, which Later takes as done.
    assert api_error(scheduler.create_schedule, **request)[:2] == (409, "ConflictException")
    scheduler.create_schedule(**{**request, "Name": "nightly-export"})
    got = scheduler.get_schedule(Name=name, GroupName=group)
    assert (got["ScheduleExpression"], got["ActionAfterCompletion"], got["Target"]["Input"]) == (
        "at(2030-01-01T22:05:00)", "DELETE", event
    ), got
    listed = scheduler.list_schedules(GroupName=group, NamePrefix="fsx-drt-defer-")["Schedules"]
    assert [s["Name"] for s in listed] == [name], listed
    scheduler.delete_schedule_group(Name=group)


def check_cloudwatch_over_cbor() -> None:
    """The Rust SDK's CloudWatch protocol (Smithy RPC v2 CBOR) reaches moto, errors included."""
    sys.path.insert(0, str(HERE))
    import cbor_protocol
    from botocore.serialize import RpcV2CBORSerializer

    model = cbor_protocol._model("cloudwatch")

    def call(operation: str, params: dict[str, Any]) -> tuple[int, Any]:
        body = bytearray()
        RpcV2CBORSerializer()._serialize_data_item(body, params, model.operation_model(operation).input_shape)
        request = urllib.request.Request(
            f"{ctx.endpoint}/service/GraniteServiceVersion20100801/operation/{operation}",
            data=bytes(body),
            method="POST",
            headers={
                "smithy-protocol": "rpc-v2-cbor",
                "Content-Type": "application/cbor",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/monitoring/aws4_request, "
                "SignedHeaders=host, Signature=0",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["smithy-protocol"] == "rpc-v2-cbor", response.headers
                return response.status, cbor_protocol.decode(response.read())
        except urllib.error.HTTPError as error:
            assert error.headers["smithy-protocol"] == "rpc-v2-cbor", error.headers
            return error.code, cbor_protocol.decode(error.read())

    now = int(time.time())
    dimensions = [{"Name": "Schedule", "Value": f"cbor-{now}"}]
    metric = {"MetricName": "SkippedRuns", "Value": 1.0, "Unit": "Count", "Dimensions": dimensions}
    assert call("PutMetricData", {"Namespace": "FsxDrt", "MetricData": [metric]}) == (200, {})
    query = {"Namespace": "FsxDrt", "MetricName": "SkippedRuns", "Dimensions": dimensions,
             "StartTime": now - 3600, "EndTime": now + 60, "Period": 3600}
    status, out = call("GetMetricStatistics", {**query, "Statistics": ["Sum"]})
    assert status == 200 and [p["Sum"] for p in out["Datapoints"]] == [1.0], out
    assert all(isinstance(p["Timestamp"], _dt.datetime) for p in out["Datapoints"]), out  # CBOR tag 1
    status, out = call("GetMetricStatistics", query)
    assert (status, out["__type"]) == (400, "InvalidParameterCombinationException"), (status, out)  # the model's shape
    # Boto3 (which speaks CBOR to CloudWatch too) sees the same metric.
    got = client("cloudwatch").get_metric_statistics(**{**query, "Statistics": ["Sum"]})["Datapoints"]
    assert [p["Sum"] for p in got] == [1.0], got


def check_lambda_environment_values_are_strings() -> None:
    """A template's number in a function's environment reads back as a string, as in Lambda."""
    cfn = client("cloudformation")
    name = f"fsx-drt-emulator-env-{int(time.time())}"
    template = {
        "Parameters": {"Minutes": {"Type": "Number", "Default": 60}},
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}},
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "provided.al2023",
                    "Handler": "bootstrap",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": "x"},
                    "Environment": {"Variables": {"MINUTES": {"Ref": "Minutes"}, "LITERAL": 60, "TEXT": "a"}},
                },
            },
        },
        "Outputs": {"Name": {"Value": {"Ref": "Function"}}},
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    outputs = cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]
    function = client("lambda").get_function_configuration(FunctionName=outputs[0]["OutputValue"])
    assert function["Environment"]["Variables"] == {"MINUTES": "60", "LITERAL": "60", "TEXT": "a"}, function["Environment"]
    cfn.delete_stack(StackName=name)


def check_s3_expected_bucket_owner() -> None:
    """Another account than the bucket owner's in ExpectedBucketOwner: 403 AccessDenied (moto_fixes.py fix 6)."""
    s3 = client("s3")
    bucket, owner, other = "fsx-drt-demo-data", "123456789012", "210987654321"
    s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=owner)
    s3.put_object(Bucket=bucket, Key="owner/ok.txt", Body=b"ok", ExpectedBucketOwner=owner)

    def denied(fn: Callable[..., Any], **kwargs: Any) -> None:
        try:
            fn(**kwargs)
        except ClientError as exc:
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 403, exc.response
            assert exc.response["Error"]["Code"] in ("AccessDenied", "403"), exc.response  # HEAD has no body
            return
        raise AssertionError(f"{fn.__name__} with another ExpectedBucketOwner succeeded")

    denied(s3.head_bucket, Bucket=bucket, ExpectedBucketOwner=other)
    denied(s3.list_objects_v2, Bucket=bucket, ExpectedBucketOwner=other)
    denied(s3.get_object, Bucket=bucket, Key="owner/ok.txt", ExpectedBucketOwner=other)
    denied(s3.put_object, Bucket=bucket, Key="owner/denied.txt", Body=b"no", ExpectedBucketOwner=other)
    denied(s3.copy_object, Bucket=bucket, Key="owner/copy.txt", CopySource=f"{bucket}/owner/ok.txt", ExpectedSourceBucketOwner=other)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="owner/")["Contents"]]
    assert keys == ["owner/ok.txt"], keys
    s3.delete_object(Bucket=bucket, Key="owner/ok.txt", ExpectedBucketOwner=owner)


def stop_server(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def check_unchanged_update_change_set() -> None:
    """An UPDATE change set with the same effective values is empty (emulator/moto_fixes.py fix 2)."""
    cfn = client("cloudformation")
    template = json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Name": {"Type": "String"}, "Label": {"Type": "String", "Default": "first"}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
            "Outputs": {"Label": {"Value": {"Ref": "Label"}}},
        }
    )
    stack = f"fsx-drt-emulator-noop-{int(time.time())}"
    name = {"ParameterKey": "Name", "ParameterValue": "fsx-drt-emulator-noop"}
    cfn.create_change_set(StackName=stack, ChangeSetName="c0", ChangeSetType="CREATE", TemplateBody=template, Parameters=[name])
    cfn.execute_change_set(StackName=stack, ChangeSetName="c0")

    def update(change_set: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
        cfn.create_change_set(
            StackName=stack, ChangeSetName=change_set, ChangeSetType="UPDATE", TemplateBody=template, Parameters=parameters
        )
        return cfn.describe_change_set(StackName=stack, ChangeSetName=change_set)

    def assert_empty(cs: dict[str, Any]) -> None:
        assert cs["Status"] == "FAILED" and "didn't contain changes" in cs["StatusReason"], cs

    # UsePreviousValue: what `aws cloudformation deploy` sends for a value it is not given.
    previous = [{"ParameterKey": k, "UsePreviousValue": True} for k in ("Name", "Label")]
    assert_empty(update("c1", previous))
    assert_empty(update("c1b", [name, {"ParameterKey": "Label", "UsePreviousValue": True}]))
    assert_empty(update("c2", [name, {"ParameterKey": "Label", "ParameterValue": "first"}]))  # the default, given
    changed = update("c3", [name, {"ParameterKey": "Label", "ParameterValue": "second"}])
    assert changed["Status"] == "CREATE_COMPLETE", changed
    cfn.execute_change_set(StackName=stack, ChangeSetName="c3")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_COMPLETE", described
    assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]} == {"Label": "second"}, described
    # The stack's values are now the executed change set's.
    assert_empty(update("c4", [name, {"ParameterKey": "Label", "ParameterValue": "second"}]))
    assert_empty(update("c5", previous))
    assert update("c6", [name])["Status"] == "CREATE_COMPLETE"  # back to the default is a change
    cfn.delete_stack(StackName=stack)


def check_list_parameters_described_as_given() -> None:
    """A CommaDelimitedList is described as the string given, and the same again is no change
    (emulator/moto_fixes.py fix 13)."""
    cfn = client("cloudformation")
    template = json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Objects": {"Type": "CommaDelimitedList", "Default": ""}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"First": {"Value": {"Fn::Select": [1, {"Ref": "Objects"}]}}},
        }
    )
    stack = f"fsx-drt-emulator-list-{int(time.time())}"
    given = [{"ParameterKey": "Objects", "ParameterValue": "a/1,b/2"}]
    cfn.create_change_set(StackName=stack, ChangeSetName="c0", ChangeSetType="CREATE", TemplateBody=template, Parameters=given)
    cfn.execute_change_set(StackName=stack, ChangeSetName="c0")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["Parameters"] == given, described["Parameters"]
    assert described["Outputs"][0]["OutputValue"] == "b/2", described  # Ref is the list
    cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="UPDATE", TemplateBody=template, Parameters=given)
    same = cfn.describe_change_set(StackName=stack, ChangeSetName="c1")
    assert same["Status"] == "FAILED" and "didn't contain changes" in same["StatusReason"], same
    cfn.delete_stack(StackName=stack)


def start_private_server(env: dict[str, str], stderr: Any) -> tuple[subprocess.Popen[str], str]:
    """Another emulator on a free port, with env; (process, AWS endpoint). Stop it with stop_server."""
    proc = subprocess.Popen([sys.executable, str(SERVER), "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert proc.stdout is not None
    lines = [proc.stdout.readline().strip() for _ in range(3)]
    endpoint = dict(line.split("=", 1) for line in lines if "=" in line).get("AWS_ENDPOINT_URL")
    if not endpoint:
        stop_server(proc)
        raise AssertionError(f"the server did not start: {lines}; see its stderr")
    return proc, endpoint


def check_status_refresh_knob() -> None:
    """FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS=0: a running task's Status is refreshed on every read."""
    if os.environ.get("FSX_DRT_EMULATOR_TEST_ENDPOINT"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **TIMINGS, "FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS": "0", "AWS_REGION": REGION}
        env["FSX_DRT_EMULATOR_REQUEST_LOG"] = f"{tmp}/requests.log"
        with open(f"{tmp}/server.stderr", "w") as stderr:
            proc, endpoint = start_private_server(env, stderr)
        saved = ctx.endpoint, ctx.fsx
        try:
            ctx.endpoint = endpoint
            ctx.fsx = client("fsx")
            fs_id = ctx.fsx.describe_file_systems()["FileSystems"][0]["FileSystemId"]  # the seeded one, /data linked
            task_id = ctx.fsx.create_data_repository_task(
                Type="EXPORT_TO_REPOSITORY", FileSystemId=fs_id, Paths=["data/x"], Report=NO_REPORT
            )["DataRepositoryTask"]["TaskId"]
            first, _ = wait_for(task_id, {"EXECUTING"})
            time.sleep(0.2)
            second = describe_task(task_id)
            assert second["Lifecycle"] == "EXECUTING", second
            assert second["Status"]["LastUpdatedTime"] > first["Status"]["LastUpdatedTime"], (first, second)
        finally:
            ctx.endpoint, ctx.fsx = saved
            stop_server(proc)
    bad_env = {**os.environ, "FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS": "soon"}
    out = subprocess.run([sys.executable, str(SERVER), "--port", "0"], env=bad_env, capture_output=True, text=True, timeout=90)
    assert out.returncode == 2 and "FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS" in out.stderr, out


def check_stack_delay() -> None:
    """FSX_DRT_EMULATOR_STACK_DELAY: operations stay in progress, then end at start + delay."""
    if os.environ.get("FSX_DRT_EMULATOR_TEST_ENDPOINT"):
        return
    with urllib.request.urlopen(ctx.endpoint + "/__fsx_drt_emulator/stack-delay", timeout=5) as resp:
        assert json.loads(resp.read()) == {"Seconds": 0.0}, "the default server must not delay"
    delay = 1.5
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FSX_DRT_EMULATOR_STACK_DELAY": str(delay),
            "FSX_DRT_EMULATOR_REQUEST_LOG": f"{tmp}/requests.log",
            "AWS_REGION": REGION,
        }
        env.pop("MOTO_ACCOUNT_ID", None)
        stderr = open(f"{tmp}/server.stderr", "w")
        proc, endpoint = start_private_server(env, stderr)
        try:
            admin = endpoint + "/__fsx_drt_emulator/stack-delay"
            with urllib.request.urlopen(admin, timeout=5) as resp:
                assert json.loads(resp.read()) == {"Seconds": delay}
            cfn = boto3.client(
                "cloudformation",
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(retries={"max_attempts": 1}),
            )
            template = json.dumps(
                {
                    "AWSTemplateFormatVersion": "2010-09-09",
                    "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fsx-drt-delayed"}}},
                }
            )
            stack = "fsx-drt-emulator-delayed"

            def stack_events(name: str) -> list[tuple[str, Any]]:
                events = cfn.describe_stack_events(StackName=name)["StackEvents"]
                return [(e["ResourceStatus"], e["Timestamp"]) for e in events if e["LogicalResourceId"] == stack]

            def wait_past(started: Any) -> None:
                left = (started.timestamp() + delay + 0.1) - time.time()
                time.sleep(max(0.0, left))

            cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=template)
            cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="delayed-1")
            described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
            stack_id = described["StackId"]
            assert described["StackStatus"] == "CREATE_IN_PROGRESS", described
            events = stack_events(stack)
            assert [e[0] for e in events] == ["CREATE_IN_PROGRESS", "REVIEW_IN_PROGRESS"], events
            started = events[0][1]
            wait_past(started)
            assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
            events = stack_events(stack)
            assert events[0][0] == "CREATE_COMPLETE", events
            assert abs((events[0][1] - started).total_seconds() - delay) < 0.01, (events, delay)
            # The delayed final event is still the operation's: it carries its token.
            assert stack_event_tokens(cfn, stack)[-2:] == [("CREATE_IN_PROGRESS", "delayed-1"), ("CREATE_COMPLETE", "delayed-1")]

            cfn.delete_stack(StackName=stack)
            described = cfn.describe_stacks(StackName=stack)["Stacks"][0]  # still found by name
            assert described["StackStatus"] == "DELETE_IN_PROGRESS", described
            events = stack_events(stack)
            assert events[0][0] == "DELETE_IN_PROGRESS", events
            started = events[0][1]
            assert any(s["StackName"] == stack for s in cfn.describe_stacks()["Stacks"]), "a deleting stack is listed"
            wait_past(started)
            expect = "does not exist"
            try:
                cfn.describe_stacks(StackName=stack)
                raise AssertionError("a deleted stack is found by name")
            except ClientError as exc:
                assert expect in str(exc), exc
            events = stack_events(stack_id)
            assert events[0][0] == "DELETE_COMPLETE", events
            assert abs((events[0][1] - started).total_seconds() - delay) < 0.01, (events, delay)
            logged = Path(f"{tmp}/server.stderr").read_text()
            assert f"stack-delay: {stack} CREATE_COMPLETE at " in logged, logged
            assert f"stack-delay: {stack} DELETE_COMPLETE at " in logged, logged

            # Changed at run time: 0 is moto's own behaviour again; nonsense is refused.
            request = urllib.request.Request(admin, data=b'{"Seconds": 0}', method="POST")
            with urllib.request.urlopen(request, timeout=5) as resp:
                assert json.loads(resp.read()) == {"Seconds": 0.0}
            cfn.create_stack(StackName="fsx-drt-emulator-undelayed", TemplateBody=template.replace("delayed", "undelayed"))
            assert cfn.describe_stacks(StackName="fsx-drt-emulator-undelayed")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
            bad = urllib.request.Request(admin, data=b'{"Seconds": -1}', method="POST")
            try:
                urllib.request.urlopen(bad, timeout=5)
                raise AssertionError("a negative delay was accepted")
            except urllib.error.HTTPError as exc:
                assert exc.code == 400, exc
        finally:
            stop_server(proc)
            stderr.close()
    # A value that is not a number of seconds stops the server at start.
    bad_env = {**os.environ, "FSX_DRT_EMULATOR_STACK_DELAY": "soon"}
    out = subprocess.run([sys.executable, str(SERVER), "--port", "0"], env=bad_env, capture_output=True, text=True, timeout=90)
    assert out.returncode == 2 and "FSX_DRT_EMULATOR_STACK_DELAY" in out.stderr, out


def check_request_log() -> None:
    if ctx.request_log is None:
        return
    lines = ctx.request_log.read_text().splitlines()
    assert lines, "request log is empty"
    for line in lines:
        assert len(line.split(" ")) == 6, line
    assert any(" POST fsx AWSSimbaAPIService_v20180301.CreateDataRepositoryTask / 200" in l for l in lines), lines[-5:]
    assert any(" POST fsx AWSSimbaAPIService_v20180301.CreateDataRepositoryTask / 400" in l for l in lines)
    assert any(" POST cloudformation CreateStack / 200" in l for l in lines), [l for l in lines if "cloudformation" in l]
    assert not any("__fsx_drt_emulator" in l for l in lines), "emulator endpoints must not be logged"


def check_detach_and_stop() -> None:
    if os.environ.get("FSX_DRT_EMULATOR_TEST_ENDPOINT"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FSX_DRT_EMULATOR_PID_FILE": f"{tmp}/emulator.pid",
            "FSX_DRT_EMULATOR_ENV_FILE": f"{tmp}/emulator.env",
            "FSX_DRT_EMULATOR_REQUEST_LOG": f"{tmp}/requests.log",
            "FSX_DRT_EMULATOR_LOG": f"{tmp}/emulator.log",
        }
        Path(f"{tmp}/emulator.pid").write_text("999999\n")  # stale
        out = subprocess.run([sys.executable, str(SERVER), "--detach"], env=env, capture_output=True, text=True, timeout=90)
        assert out.returncode == 0, out
        lines = out.stdout.splitlines()
        assert [l.split("=", 1)[0] for l in lines] == ["AWS_ENDPOINT_URL", "AWS_REGION", "FILE_SYSTEM_ID"], lines
        assert Path(f"{tmp}/emulator.env").read_text().splitlines() == lines
        pid = int(Path(f"{tmp}/emulator.pid").read_text())
        assert pid != 999999
        endpoint = lines[0].split("=", 1)[1]
        with urllib.request.urlopen(endpoint + "/__fsx_drt_emulator/health", timeout=5) as resp:
            assert resp.status == 200
        again = subprocess.run([sys.executable, str(SERVER), "--detach"], env=env, capture_output=True, text=True, timeout=90)
        assert again.returncode == 0 and again.stdout.splitlines() == lines, again
        stop = subprocess.run([sys.executable, str(SERVER), "--stop"], env=env, capture_output=True, text=True, timeout=30)
        assert stop.returncode == 0, stop
        assert not Path(f"{tmp}/emulator.pid").exists() and not Path(f"{tmp}/emulator.env").exists()
        # Gone, or a zombie waiting for init to reap it.
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            state = "gone"
        assert state in ("gone", "Z"), f"pid {pid} still running after --stop (state {state})"


# ---------------------------------------------------------------------------
# CloudFormation StackSets (stack_sets.py): several accounts and regions
# ---------------------------------------------------------------------------

OTHER_ACCOUNT = "222222222222"
STACK_SET_TEMPLATE = {
    "Parameters": {"Name": {"Type": "String"}, "Size": {"Type": "String", "Default": "small"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Join": ["-", [{"Ref": "Name"}, {"Ref": "Size"}]]}}}},
    "Outputs": {"Size": {"Value": {"Ref": "Size"}}},
}


def account_client(service: str, account: str, region: str = REGION) -> Any:
    """A client acting as `account`: credentials of an AssumeRole into a role of that account
    (moto takes a request's account from its access key)."""
    if account == "123456789012":
        return boto3.client(
            service, region_name=region, endpoint_url=ctx.endpoint, aws_access_key_id="testing",
            aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}),
        )
    creds = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/fsx-drt-fleet", RoleSessionName="fsx-drt")["Credentials"]
    return boto3.client(
        service, region_name=region, endpoint_url=ctx.endpoint, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


def execution_role(account: str) -> None:
    iam = account_client("iam", account)
    try:
        iam.create_role(RoleName="AWSCloudFormationStackSetExecutionRole", AssumeRolePolicyDocument="{}")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "EntityAlreadyExists", exc


def wait_operation(cfn: Any, stack_set: str, op_id: str, timeout: float = 30.0) -> tuple[dict[str, Any], list[str]]:
    """Polls DescribeStackSetOperation until it ended; (operation, statuses seen)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        op = cfn.describe_stack_set_operation(StackSetName=stack_set, OperationId=op_id)["StackSetOperation"]
        if not seen or seen[-1] != op["Status"]:
            seen.append(op["Status"])
        if op["Status"] in ("SUCCEEDED", "FAILED", "STOPPED"):
            return op, seen
        assert time.monotonic() < deadline, f"operation {op_id} stuck; seen {seen}"
        time.sleep(0.05)


def instances(cfn: Any, stack_set: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i["Account"], i["Region"]): i for i in cfn.list_stack_instances(StackSetName=stack_set)["Summaries"]}


def results(cfn: Any, stack_set: str, op_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    summaries = cfn.list_stack_set_operation_results(StackSetName=stack_set, OperationId=op_id)["Summaries"]
    return {(r["Account"], r["Region"]): r for r in summaries}


def stack_of(instance: dict[str, Any]) -> dict[str, Any]:
    cfn = account_client("cloudformation", instance["Account"], instance["Region"])
    return cfn.describe_stacks(StackName=instance["StackId"])["Stacks"][0]


def check_other_account_credentials() -> None:
    """AssumeRole into arn:aws:iam::222222222222:role/x gives credentials that act as that
    account in server mode: GetCallerIdentity says so, and what they make is that account's."""
    sts = account_client("sts", OTHER_ACCOUNT)
    identity = sts.get_caller_identity()
    assert identity["Account"] == OTHER_ACCOUNT, identity
    assert identity["Arn"].startswith(f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/fsx-drt-fleet/"), identity
    assert client("sts").get_caller_identity()["Account"] == "123456789012"
    topic = f"fsx-drt-emulator-account-{int(time.time())}"
    arn = account_client("sns", OTHER_ACCOUNT).create_topic(Name=topic)["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{OTHER_ACCOUNT}:{topic}", arn
    assert arn not in [t["TopicArn"] for t in client("sns").list_topics()["Topics"]]


def check_stack_set_instances_are_real_stacks() -> None:
    """A three-member fleet over two accounts and two regions: each instance is a stack
    StackSet-NAME-UUID in its account and region with the stack set's parameters overlaid by its
    overrides; UpdateStackSet updates every stack (template too), UpdateStackInstances one;
    DeleteStackInstances deletes stacks (RetainStacks keeps them); DeleteStackSet waits for none."""
    name = f"fsx-drt-fleet-{int(time.time())}"
    cfn = client("cloudformation")
    for account in ("123456789012", OTHER_ACCOUNT):
        execution_role(account)
    cfn.create_stack_set(
        StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": "fleet"}],
        Tags=[{"Key": "team", "Value": "hpc"}],
    )
    first = cfn.create_stack_instances(StackSetName=name, Accounts=["123456789012", OTHER_ACCOUNT], Regions=["us-east-1"])["OperationId"]
    op, _ = wait_operation(cfn, name, first)
    assert op["Status"] == "SUCCEEDED" and op["Action"] == "CREATE", op
    second = cfn.create_stack_instances(
        StackSetName=name, Accounts=[OTHER_ACCOUNT], Regions=["eu-west-1"], ParameterOverrides=[{"ParameterKey": "Size", "ParameterValue": "large"}]
    )["OperationId"]
    assert wait_operation(cfn, name, second)[0]["Status"] == "SUCCEEDED"
    found = instances(cfn, name)
    assert set(found) == {("123456789012", "us-east-1"), (OTHER_ACCOUNT, "us-east-1"), (OTHER_ACCOUNT, "eu-west-1")}, found
    for (account, region), instance in found.items():
        assert instance["Status"] == "CURRENT" and instance["StackInstanceStatus"]["DetailedStatus"] == "SUCCEEDED", instance
        assert re.fullmatch(rf"arn:aws:cloudformation:{region}:{account}:stack/StackSet-{name}-[0-9a-f-]{{36}}/.+", instance["StackId"]), instance
        stack = stack_of(instance)
        assert stack["StackStatus"] == "CREATE_COMPLETE" and {"Key": "team", "Value": "hpc"} in stack["Tags"], stack
        size = "large" if region == "eu-west-1" else "small"
        assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == {"Size": size}, stack
        listed = account_client("cloudformation", account, region).describe_stacks()["Stacks"]
        assert instance["StackId"] in [s["StackId"] for s in listed]
    assert found[(OTHER_ACCOUNT, "eu-west-1")]["LastOperationId"] == second
    described = cfn.describe_stack_instance(StackSetName=name, StackInstanceAccount=OTHER_ACCOUNT, StackInstanceRegion="eu-west-1")["StackInstance"]
    assert described["ParameterOverrides"] == [{"ParameterKey": "Size", "ParameterValue": "large"}], described
    status, code, _ = api_error(cfn.describe_stack_instance, StackSetName=name, StackInstanceAccount="333333333333", StackInstanceRegion="us-east-1")
    assert (status, code) == (404, "StackInstanceNotFoundException"), (status, code)

    # UpdateStackSet: a new template (an added output) reaches every stack; overrides stay.
    template = {**STACK_SET_TEMPLATE, "Outputs": {**STACK_SET_TEMPLATE["Outputs"], "Name": {"Value": {"Ref": "Name"}}}}
    update = cfn.update_stack_set(StackSetName=name, TemplateBody=json.dumps(template), Parameters=[{"ParameterKey": "Name", "UsePreviousValue": True}])["OperationId"]
    assert wait_operation(cfn, name, update)[0]["Status"] == "SUCCEEDED"
    for instance in instances(cfn, name).values():
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack_of(instance)["Outputs"]}
        assert outputs["Name"] == "fleet" and outputs["Size"] == ("large" if instance["Region"] == "eu-west-1" else "small"), outputs
        assert stack_of(instance)["StackStatus"] == "UPDATE_COMPLETE"
    # UpdateStackInstances: the new override reaches that stack only.
    change = cfn.update_stack_instances(
        StackSetName=name, Accounts=["123456789012"], Regions=["us-east-1"], ParameterOverrides=[{"ParameterKey": "Size", "ParameterValue": "medium"}]
    )["OperationId"]
    assert wait_operation(cfn, name, change)[0]["Status"] == "SUCCEEDED"
    found = instances(cfn, name)
    assert {o["OutputKey"]: o["OutputValue"] for o in stack_of(found[("123456789012", "us-east-1")])["Outputs"]}["Size"] == "medium"
    assert {o["OutputKey"]: o["OutputValue"] for o in stack_of(found[(OTHER_ACCOUNT, "us-east-1")])["Outputs"]}["Size"] == "small"
    status, code, _ = api_error(cfn.update_stack_instances, StackSetName=name, Accounts=["333333333333"], Regions=["us-east-1"])
    assert (status, code) == (404, "StackInstanceNotFoundException"), (status, code)

    status, code, _ = api_error(cfn.delete_stack_set, StackSetName=name)
    assert (status, code) == (409, "StackSetNotEmptyException"), (status, code)
    # Remove one member: its stack is deleted. Retain another: its stack stays.
    gone, kept = found[("123456789012", "us-east-1")], found[(OTHER_ACCOUNT, "eu-west-1")]
    remove = cfn.delete_stack_instances(StackSetName=name, Accounts=["123456789012"], Regions=["us-east-1"], RetainStacks=False)["OperationId"]
    assert wait_operation(cfn, name, remove)[0]["Status"] == "SUCCEEDED"
    assert stack_of(gone)["StackStatus"] == "DELETE_COMPLETE"
    retain = cfn.delete_stack_instances(StackSetName=name, Accounts=[OTHER_ACCOUNT], Regions=["eu-west-1"], RetainStacks=True)["OperationId"]
    op, _ = wait_operation(cfn, name, retain)
    assert op["Status"] == "SUCCEEDED" and op["RetainStacks"] is True, op
    assert stack_of(kept)["StackStatus"] == "UPDATE_COMPLETE"
    assert set(instances(cfn, name)) == {(OTHER_ACCOUNT, "us-east-1")}
    last = cfn.delete_stack_instances(StackSetName=name, Accounts=[OTHER_ACCOUNT], Regions=["us-east-1"], RetainStacks=False)["OperationId"]
    wait_operation(cfn, name, last)
    cfn.delete_stack_set(StackSetName=name)
    status, code, _ = api_error(cfn.describe_stack_set, StackSetName=name)
    assert (status, code) == (404, "StackSetNotFoundException"), (status, code)
    operations = account_client("cloudformation", OTHER_ACCOUNT, "eu-west-1").delete_stack(StackName=kept["StackId"])
    assert operations["ResponseMetadata"]["HTTPStatusCode"] == 200


def root_client(service: str) -> Any:
    """A client of the default account that sends what botocore would refuse (as any SDK can)."""
    return boto3.client(
        service, region_name=REGION, endpoint_url=ctx.endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


def check_stack_set_operation_lifecycle() -> None:
    """With the stack-set-delay knob an operation is RUNNING (instances RUNNING) for that long; a
    second mutating call meanwhile is OperationInProgressException (409) unless the stack set has
    ManagedExecution Active, then it is QUEUED and runs after; StopStackSetOperation cancels
    what has not started; an OperationId is idempotent for the same request and
    OperationIdAlreadyExistsException for another; OperationPreferences as the model allows."""
    name = f"fsx-drt-lifecycle-{int(time.time())}"
    cfn = root_client("cloudformation")
    execution_role("123456789012")
    execution_role(OTHER_ACCOUNT)
    cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": name}])
    for prefs, field in (({"MaxConcurrentCount": 0}, "maxConcurrentCount"), ({"FailureTolerancePercentage": 101}, "failureTolerancePercentage")):
        status, code, message = api_error(cfn.create_stack_instances, StackSetName=name, Accounts=["123456789012"], Regions=[REGION], OperationPreferences=prefs)
        assert (status, code) == (400, "ValidationError") and f"at 'operationPreferences.{field}' failed to satisfy constraint" in message, message
    status, code, message = api_error(
        cfn.create_stack_instances, StackSetName=name, Accounts=["123456789012"], Regions=[REGION],
        OperationPreferences={"MaxConcurrentCount": 1, "MaxConcurrentPercentage": 50},
    )
    assert (status, code) == (400, "ValidationError") and "not both" in message, message
    for targets in (
        {"Accounts": ["123456789012"], "DeploymentTargets": {"Accounts": ["123456789012"]}},
        {"DeploymentTargets": {"OrganizationalUnitIds": ["r-abcd"]}},
        {},
    ):
        assert api_error(cfn.create_stack_instances, StackSetName=name, Regions=[REGION], **targets)[:2] == (400, "ValidationError"), targets
    status, code, message = api_error(cfn.delete_stack_instances, StackSetName=name, Accounts=["123456789012"], Regions=[REGION])
    assert (status, code) == (400, "ValidationError") and "retainStacks" in message, message
    assert not cfn.list_stack_instances(StackSetName=name)["Summaries"]  # refused before anything was made
    assert admin_post("/stack-set-delay", {"Seconds": 1.0}) == (200, {"Seconds": 1.0})
    try:
        started = time.monotonic()
        first = cfn.create_stack_instances(StackSetName=name, Accounts=["123456789012"], Regions=[REGION], OperationId="fleet-create-1")["OperationId"]
        assert first == "fleet-create-1"
        assert instances(cfn, name)[("123456789012", REGION)]["StackInstanceStatus"]["DetailedStatus"] == "RUNNING"
        status, code, message = api_error(cfn.update_stack_instances, StackSetName=name, Accounts=["123456789012"], Regions=[REGION])
        assert (status, code) == (409, "OperationInProgressException") and name in message, (status, code, message)
        assert api_error(cfn.delete_stack_set, StackSetName=name)[:2] == (409, "OperationInProgressException")
        op, seen = wait_operation(cfn, name, first)
        assert seen[0] == "RUNNING" and op["Status"] == "SUCCEEDED" and time.monotonic() - started >= 1.0, (seen, op)
        # The same request again with its OperationId: that operation; another request: refused.
        again = cfn.create_stack_instances(StackSetName=name, Accounts=["123456789012"], Regions=[REGION], OperationId="fleet-create-1")
        assert again["OperationId"] == first and len(cfn.list_stack_set_operations(StackSetName=name)["Summaries"]) == 1
        status, code, _ = api_error(cfn.create_stack_instances, StackSetName=name, Accounts=[OTHER_ACCOUNT], Regions=[REGION], OperationId="fleet-create-1")
        assert (status, code) == (409, "OperationIdAlreadyExistsException"), (status, code)

        managed = cfn.update_stack_set(StackSetName=name, UsePreviousTemplate=True, ManagedExecution={"Active": True})["OperationId"]
        assert cfn.describe_stack_set(StackSetName=name)["StackSet"]["ManagedExecution"] == {"Active": True}
        queued = cfn.create_stack_instances(StackSetName=name, Accounts=[OTHER_ACCOUNT], Regions=[REGION])["OperationId"]
        assert cfn.describe_stack_set_operation(StackSetName=name, OperationId=queued)["StackSetOperation"]["Status"] == "QUEUED"
        assert wait_operation(cfn, name, managed)[0]["Status"] == "SUCCEEDED"
        op, seen = wait_operation(cfn, name, queued)
        assert seen[-2:] == ["RUNNING", "SUCCEEDED"] and op["CreationTimestamp"] >= cfn.describe_stack_set_operation(StackSetName=name, OperationId=managed)["StackSetOperation"]["CreationTimestamp"], seen

        # Stop: the running account finishes, the one not started is CANCELLED.
        stopped = cfn.update_stack_set(
            StackSetName=name, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "Name", "ParameterValue": name + "-2"}],
            OperationPreferences={"MaxConcurrentCount": 1, "RegionOrder": [REGION]},
        )["OperationId"]
        cfn.stop_stack_set_operation(StackSetName=name, OperationId=stopped)
        op, seen = wait_operation(cfn, name, stopped)
        assert op["Status"] == "STOPPED" and "STOPPING" in seen, (op, seen)
        assert sorted(r["Status"] for r in results(cfn, name, stopped).values()) == ["CANCELLED", "SUCCEEDED"]
        assert api_error(cfn.stop_stack_set_operation, StackSetName=name, OperationId=stopped)[:2] == (400, "InvalidOperationException")
        assert api_error(cfn.describe_stack_set_operation, StackSetName=name, OperationId="no-such-op")[:2] == (404, "OperationNotFoundException")
        summaries = cfn.list_stack_set_operations(StackSetName=name)["Summaries"]
        assert [s["OperationId"] for s in summaries] == [stopped, queued, managed, first], summaries
        assert summaries[0]["OperationPreferences"] == {"MaxConcurrentCount": 1, "RegionOrder": [REGION]}, summaries[0]
    finally:
        admin_post("/stack-set-delay", {"Seconds": 0})
    remove = cfn.delete_stack_instances(StackSetName=name, Accounts=["123456789012", OTHER_ACCOUNT], Regions=[REGION], RetainStacks=False)["OperationId"]
    wait_operation(cfn, name, remove)
    cfn.delete_stack_set(StackSetName=name)


def check_stack_set_failures_and_tolerance() -> None:
    """An account without the execution role fails with AWS's reason, a stack that rolls back
    fails with its resource's reason; within FailureToleranceCount the operation SUCCEEDED with
    FAILED instances, beyond it FAILED and the rest (that Region, later Regions) CANCELLED."""
    cfn = client("cloudformation")
    execution_role("123456789012")
    name = f"fsx-drt-tolerance-{int(time.time())}"
    cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": name}])
    lacking = ["333333333333", "444444444444"]
    op_id = cfn.create_stack_instances(
        StackSetName=name, Accounts=["123456789012", *lacking], Regions=[REGION],
        OperationPreferences={"FailureToleranceCount": 2, "MaxConcurrentCount": 3},
    )["OperationId"]
    op, _ = wait_operation(cfn, name, op_id)
    assert op["Status"] == "SUCCEEDED" and op["StatusDetails"]["FailedStackInstancesCount"] == 2, op
    found, outcome = instances(cfn, name), results(cfn, name, op_id)
    assert found[("123456789012", REGION)]["Status"] == "CURRENT" and outcome[("123456789012", REGION)]["Status"] == "SUCCEEDED"
    for account in lacking:
        reason = (
            f"Account {account} should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to "
            "Role 'AWSCloudFormationStackSetAdministrationRole'."
        )
        assert found[(account, REGION)]["StackInstanceStatus"]["DetailedStatus"] == "FAILED" and found[(account, REGION)]["Status"] == "OUTDATED"
        assert found[(account, REGION)]["StatusReason"] == reason and outcome[(account, REGION)]["StatusReason"] == reason, outcome
        assert "StackId" not in found[(account, REGION)]
    # Beyond tolerance (0, one at a time), first Region eu-west-1 by RegionOrder: the failed
    # account stops that Region, its other account and every account of us-east-1 are CANCELLED.
    second = f"{name}-strict"
    cfn.create_stack_set(StackSetName=second, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": second}])
    op_id = cfn.create_stack_instances(
        StackSetName=second, Accounts=[lacking[0], "123456789012"], Regions=[REGION, "eu-west-1"],
        OperationPreferences={"RegionOrder": ["eu-west-1", REGION]},
    )["OperationId"]
    op, _ = wait_operation(cfn, second, op_id)
    assert op["Status"] == "FAILED", op
    outcome = results(cfn, second, op_id)
    assert outcome[(lacking[0], "eu-west-1")]["Status"] == "FAILED"
    for key in (("123456789012", "eu-west-1"), (lacking[0], REGION), ("123456789012", REGION)):
        assert outcome[key]["Status"] == "CANCELLED" and instances(cfn, second)[key]["StackInstanceStatus"]["DetailedStatus"] == "CANCELLED", outcome
    # A stack that rolls back: the instance FAILED with the failed resource's reason.
    third = f"{name}-rollback"
    group = f"{third}-group"
    cfn.create_stack_set(StackSetName=third, TemplateBody=scheduler_template(group, {"ScheduleExpressionTimezone": "Europe/Berlim"}, {}))
    op_id = cfn.create_stack_instances(StackSetName=third, Accounts=["123456789012"], Regions=[REGION])["OperationId"]
    assert wait_operation(cfn, third, op_id)[0]["Status"] == "FAILED"
    instance = instances(cfn, third)[("123456789012", REGION)]
    assert instance["StatusReason"].startswith("ResourceLogicalId:Berlin, ResourceType:AWS::Scheduler::Schedule, ResourceStatusReason:Resource handler returned message:"), instance
    assert "Europe/Berlim" in instance["StatusReason"] and stack_of(instance)["StackStatus"] == "ROLLBACK_COMPLETE", instance
    for stack_set, accounts, regions in ((name, ["123456789012", *lacking], [REGION]), (second, [lacking[0], "123456789012"], [REGION, "eu-west-1"]), (third, ["123456789012"], [REGION])):
        wait_operation(cfn, stack_set, cfn.delete_stack_instances(StackSetName=stack_set, Accounts=accounts, Regions=regions, RetainStacks=False)["OperationId"])
        assert not instances(cfn, stack_set), instances(cfn, stack_set)
        cfn.delete_stack_set(StackSetName=stack_set)


def organization() -> tuple[str, dict[str, str], dict[str, str]]:
    """The default account's organization (made once): (root id, OU ids, account ids) with
    accounts genomics in OU hpc/genomics, cfd in OU hpc, ops under the root."""
    org = client("organizations")
    try:
        org.describe_organization()
    except ClientError:
        org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {ou["Name"]: ou["Id"] for ou in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]}
    if "hpc" not in ous:
        ous["hpc"] = org.create_organizational_unit(ParentId=root, Name="hpc")["OrganizationalUnit"]["Id"]
        ous["genomics"] = org.create_organizational_unit(ParentId=ous["hpc"], Name="genomics")["OrganizationalUnit"]["Id"]
        for name, parent in (("genomics", ous["genomics"]), ("cfd", ous["hpc"]), ("ops", None)):
            account = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
            if parent:
                org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
    else:
        ous["genomics"] = org.list_organizational_units_for_parent(ParentId=ous["hpc"])["OrganizationalUnits"][0]["Id"]
    accounts = {a["Name"]: a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] in ("genomics", "cfd", "ops")}
    return root, ous, accounts


def check_stack_set_service_managed_targets() -> None:
    """SERVICE_MANAGED: DeploymentTargets name OUs of the caller's organization (child OUs
    included; the root: every account but the management account) refined by Accounts and
    AccountFilterType; Accounts alone are refused with AWS's ValidationError, as is a stack
    set whose account has no organization."""
    root, ous, accounts = organization()
    cfn = root_client("cloudformation")
    name = f"fsx-drt-org-{int(time.time())}"
    status, code, message = api_error(
        account_client("cloudformation", "555555555555").create_stack_set,
        StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), PermissionModel="SERVICE_MANAGED",
    )
    assert (status, code) == (400, "ValidationError") and "organizations access" in message, message
    cfn.create_stack_set(
        StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), PermissionModel="SERVICE_MANAGED",
        Parameters=[{"ParameterKey": "Name", "ParameterValue": name}], AutoDeployment={"Enabled": False},
    )
    only_ous = "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target"
    for targets in ({"Accounts": [accounts["cfd"]]}, {"DeploymentTargets": {"Accounts": [accounts["cfd"]]}}):
        status, code, message = api_error(cfn.create_stack_instances, StackSetName=name, Regions=[REGION], **targets)
        assert (status, code, message) == (400, "ValidationError", only_ous), (targets, message)
    status, code, message = api_error(
        cfn.create_stack_instances, StackSetName=name, Regions=[REGION],
        DeploymentTargets={"OrganizationalUnitIds": [root], "Accounts": [accounts["cfd"]], "AccountFilterType": "UNION"},
    )
    assert (status, code) == (400, "ValidationError") and "UNION" in message, message

    # The root: every account of the organization, however deep its OU, not the management one.
    op_id = cfn.create_stack_instances(StackSetName=name, Regions=[REGION], DeploymentTargets={"OrganizationalUnitIds": [root]})["OperationId"]
    assert wait_operation(cfn, name, op_id)[0]["Status"] == "SUCCEEDED"
    found = instances(cfn, name)
    assert set(found) == {(a, REGION) for a in accounts.values()}, found
    assert all(i["OrganizationalUnitId"] == root and i["Status"] == "CURRENT" for i in found.values()), found
    assert stack_of(found[(accounts["genomics"], REGION)])["StackStatus"] == "CREATE_COMPLETE"
    assert cfn.describe_stack_set(StackSetName=name)["StackSet"]["OrganizationalUnitIds"] == [root]

    # DIFFERENCE: OU hpc (genomics below it) but not cfd; INTERSECTION: of the root only ops.
    status, code, message = api_error(
        cfn.delete_stack_instances, StackSetName=name, Regions=[REGION], Accounts=[accounts["genomics"]], RetainStacks=False
    )
    assert (status, code, message) == (400, "ValidationError", only_ous), message
    for targets, gone in (
        ({"OrganizationalUnitIds": [ous["hpc"]], "Accounts": [accounts["cfd"]], "AccountFilterType": "DIFFERENCE"}, "genomics"),
        ({"OrganizationalUnitIds": [root], "Accounts": [accounts["ops"]], "AccountFilterType": "INTERSECTION"}, "ops"),
    ):
        before = set(instances(cfn, name))
        op_id = cfn.delete_stack_instances(StackSetName=name, Regions=[REGION], DeploymentTargets=targets, RetainStacks=False)["OperationId"]
        op, _ = wait_operation(cfn, name, op_id)
        assert op["Status"] == "SUCCEEDED" and op["DeploymentTargets"]["AccountFilterType"] == targets["AccountFilterType"], op
        assert before - set(instances(cfn, name)) == {(accounts[gone], REGION)}, (gone, instances(cfn, name))
    op_id = cfn.delete_stack_instances(StackSetName=name, Regions=[REGION], DeploymentTargets={"OrganizationalUnitIds": [ous["hpc"]]}, RetainStacks=False)["OperationId"]
    wait_operation(cfn, name, op_id)
    assert not instances(cfn, name)
    cfn.delete_stack_set(StackSetName=name)


def check_lambda_code_in_another_accounts_bucket() -> None:
    """Lambda reads Code.S3Bucket as the function's account, in its region: a bucket of another
    account needs a policy granting that account (or its organization) s3:GetObject, else
    AccessDeniedException (403); a bucket in another region is PermanentRedirect (400). A
    StackSets instance whose account cannot read the code FAILED with the stack's reason."""
    _, _, org_accounts = organization()
    bucket = f"fsx-drt-code-{int(time.time())}"
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="fsx-drt/lambda.zip", Body=lambda_zip())
    stranger, member = "666666666666", org_accounts["ops"]

    def create(account: str, region: str = REGION) -> tuple[int, str, str] | None:
        iam, lam = account_client("iam", account), account_client("lambda", account, region)
        role = f"fsx-drt-code-{region}"
        try:
            arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        except ClientError:
            arn = iam.get_role(RoleName=role)["Role"]["Arn"]
        request = {
            "FunctionName": f"{bucket}-{account}-{region}", "Runtime": "provided.al2023", "Handler": "bootstrap", "Role": arn,
            "Code": {"S3Bucket": bucket, "S3Key": "fsx-drt/lambda.zip"},
        }
        try:
            lam.create_function(**request)
        except ClientError as exc:
            return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"], exc.response["Error"]["Message"]
        lam.delete_function(FunctionName=request["FunctionName"])
        return None

    denied = (
        403, "AccessDeniedException",
        f"Your access has been denied by S3, please make sure your request credentials have permission to GetObject for "
        f"{bucket}/fsx-drt/lambda.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
    )
    assert create("123456789012") is None  # the owner
    assert create(OTHER_ACCOUNT) == denied, create(OTHER_ACCOUNT)
    grant = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/fsx-drt/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [{**grant, "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}}]}))
    assert create(OTHER_ACCOUNT) is None
    assert create(member) == denied
    org_id = client("organizations").describe_organization()["Organization"]["Id"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [{**grant, "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}}]}))
    assert create(member) is None and create(stranger) == denied
    assert create(OTHER_ACCOUNT) == denied  # the grant to it was replaced
    redirect = create(member, "eu-west-1")
    assert redirect == (
        400, "InvalidParameterValueException",
        f"Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in this region: {REGION}. "
        "Please use this region to retry the request",
    ), redirect

    # A stack set whose template makes the function: the stranger's instance fails, the member's not.
    cfn = root_client("cloudformation")
    for account in (stranger, member):
        execution_role(account)
    template = {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}},
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "provided.al2023", "Handler": "bootstrap", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"S3Bucket": bucket, "S3Key": "fsx-drt/lambda.zip"},
                },
            },
        },
    }
    name = f"{bucket}-fleet"
    cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(template))
    op_id = cfn.create_stack_instances(
        StackSetName=name, Accounts=[member, stranger], Regions=[REGION], OperationPreferences={"FailureToleranceCount": 1, "MaxConcurrentCount": 2}
    )["OperationId"]
    assert wait_operation(cfn, name, op_id)[0]["Status"] == "SUCCEEDED"
    found = instances(cfn, name)
    assert found[(member, REGION)]["Status"] == "CURRENT", found
    failed = found[(stranger, REGION)]
    assert failed["StackInstanceStatus"]["DetailedStatus"] == "FAILED", failed
    assert failed["StatusReason"].startswith("ResourceLogicalId:Function, ResourceType:AWS::Lambda::Function, ResourceStatusReason:Resource handler returned message: \"Your access has been denied by S3"), failed
    assert "(Service: Lambda, Status Code: 403," in failed["StatusReason"] and "HandlerErrorCode: AccessDenied)" in failed["StatusReason"], failed
    assert stack_of(failed)["StackStatus"] == "ROLLBACK_COMPLETE"
    wait_operation(cfn, name, cfn.delete_stack_instances(StackSetName=name, Accounts=[member, stranger], Regions=[REGION], RetainStacks=False)["OperationId"])
    cfn.delete_stack_set(StackSetName=name)


def check_stack_set_instances_wait_for_their_stacks() -> None:
    """With the stack delay an instance is RUNNING while its stack is CREATE_IN_PROGRESS and
    SUCCEEDED once the stack is CREATE_COMPLETE (the operation follows the stack, not moto)."""
    cfn = client("cloudformation")
    execution_role("123456789012")
    name = f"fsx-drt-slow-stacks-{int(time.time())}"
    cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": name}])
    assert admin_post("/stack-delay", {"Seconds": 1.0})[0] == 200
    try:
        started = time.monotonic()
        op_id = cfn.create_stack_instances(StackSetName=name, Accounts=["123456789012"], Regions=[REGION])["OperationId"]
        time.sleep(0.3)
        instance = instances(cfn, name)[("123456789012", REGION)]
        assert instance["StackInstanceStatus"]["DetailedStatus"] == "RUNNING", instance
        assert stack_of(instance)["StackStatus"] == "CREATE_IN_PROGRESS"
        op, _ = wait_operation(cfn, name, op_id)
        assert op["Status"] == "SUCCEEDED" and time.monotonic() - started >= 1.0, op
        assert stack_of(instances(cfn, name)[("123456789012", REGION)])["StackStatus"] == "CREATE_COMPLETE"
        op_id = cfn.delete_stack_instances(StackSetName=name, Accounts=["123456789012"], Regions=[REGION], RetainStacks=False)["OperationId"]
        wait_operation(cfn, name, op_id)
    finally:
        admin_post("/stack-delay", {"Seconds": 0})
    cfn.delete_stack_set(StackSetName=name)


def check_stack_set_concurrency_and_percentages() -> None:
    """STRICT_FAILURE_TOLERANCE runs at most tolerance + 1 accounts at once, so the first failure
    beyond tolerance cancels the rest; SOFT_FAILURE_TOLERANCE runs MaxConcurrentCount regardless;
    percentages of a Region's accounts round down; PARALLEL Regions do not cancel each other."""
    cfn = client("cloudformation")
    execution_role("123456789012")
    name = f"fsx-drt-modes-{int(time.time())}"
    cfn.create_stack_set(StackSetName=name, TemplateBody=json.dumps(STACK_SET_TEMPLATE), Parameters=[{"ParameterKey": "Name", "ParameterValue": name}])
    accounts = ["333333333333", "444444444444", "123456789012"]  # two without the execution role

    def run(prefs: dict[str, Any], regions: list[str] | None = None) -> tuple[str, dict[tuple[str, str], str]]:
        op_id = cfn.create_stack_instances(StackSetName=name, Accounts=accounts, Regions=regions or [REGION], OperationPreferences=prefs)["OperationId"]
        op, _ = wait_operation(cfn, name, op_id)
        outcome = {key: r["Status"] for key, r in results(cfn, name, op_id).items()}
        wait_operation(cfn, name, cfn.delete_stack_instances(StackSetName=name, Accounts=accounts, Regions=regions or [REGION], RetainStacks=False)["OperationId"])
        return op["Status"], outcome

    strict = run({"MaxConcurrentCount": 3})
    assert strict == ("FAILED", {("333333333333", REGION): "FAILED", ("444444444444", REGION): "CANCELLED", ("123456789012", REGION): "CANCELLED"}), strict
    soft = run({"MaxConcurrentCount": 3, "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE"})
    assert soft == ("FAILED", {("333333333333", REGION): "FAILED", ("444444444444", REGION): "FAILED", ("123456789012", REGION): "SUCCEEDED"}), soft
    below = run({"FailureTolerancePercentage": 66, "MaxConcurrentPercentage": 100})  # 1.98 accounts: 1
    assert below[0] == "FAILED" and below[1][("123456789012", REGION)] == "CANCELLED", below
    within = run({"FailureTolerancePercentage": 67, "MaxConcurrentPercentage": 10})  # 2.01: 2; 0.3 at once: 1
    assert within == ("SUCCEEDED", {("333333333333", REGION): "FAILED", ("444444444444", REGION): "FAILED", ("123456789012", REGION): "SUCCEEDED"}), within
    parallel = run({"RegionConcurrencyType": "PARALLEL"}, [REGION, "eu-west-1"])
    assert parallel[0] == "FAILED" and [parallel[1][(a, r)] for r in (REGION, "eu-west-1") for a in accounts] == ["FAILED", "CANCELLED", "CANCELLED"] * 2, parallel
    cfn.delete_stack_set(StackSetName=name)


CHECKS: list[Callable[[], None]] = [
    check_seeded_file_system,
    check_seeded_association_and_bucket,
    check_own_file_system_and_associations,
    check_association_pagination,
    check_create_task_and_idempotency,
    check_one_task_per_file_system,
    check_lifecycle_succeeds,
    check_failing_task,
    check_cancel,
    check_file_system_not_found_and_bad_requests,
    check_error_wire_shape,
    check_describe_tasks_filters_and_pagination,
    check_file_system_versions_and_storage,
    check_release_needs_lustre_2_12,
    check_report_path_must_be_in_repository,
    check_invalid_paths_fail_the_task,
    check_completion_reports,
    check_auto_export_blocks_export_tasks,
    check_status_refresh_pace,
    check_cloudformation,
    check_change_set_names_are_per_stack,
    check_unchanged_update_change_set,
    check_list_parameters_described_as_given,
    check_stack_events_carry_client_request_token,
    check_event_invoke_config_in_templates,
    check_conditions_on_update,
    check_change_set_tags,
    check_template_rules,
    check_termination_protection,
    check_change_sets_the_stack_outgrew,
    check_drift_detection_is_an_invalid_action,
    check_s3_expected_bucket_owner,
    check_scheduler_schedules_in_stacks,
    check_scheduler_bad_timezone_rolls_back_create,
    check_scheduler_api_refuses_what_scheduler_refuses,
    check_one_time_schedules_as_the_function_makes_them,
    check_cloudwatch_over_cbor,
    check_lambda_environment_values_are_strings,
    check_find_in_map,
    check_rule_stacks_move_to_a_schedule,
    check_status_refresh_knob,
    check_request_log,
    check_stack_delay,
    check_other_account_credentials,
    check_stack_set_instances_are_real_stacks,
    check_stack_set_operation_lifecycle,
    check_stack_set_failures_and_tolerance,
    check_stack_set_concurrency_and_percentages,
    check_stack_set_instances_wait_for_their_stacks,
    check_stack_set_service_managed_targets,
    check_lambda_code_in_another_accounts_bucket,
    check_detach_and_stop,
]


def main() -> int:
    proc: subprocess.Popen[str] | None = None
    tmp = tempfile.TemporaryDirectory()
    external = os.environ.get("FSX_DRT_EMULATOR_TEST_ENDPOINT")
    try:
        if external:
            ctx.endpoint = external.rstrip("/")
            ctx.request_log = None
            with urllib.request.urlopen(ctx.endpoint + "/__fsx_drt_emulator/health", timeout=5) as resp:
                health = json.loads(resp.read())
            ctx.fs_id = health["file_system_id"]
            global REGION
            REGION = health["region"]
        else:
            ctx.request_log = Path(tmp.name) / "requests.log"
            env = {**os.environ, **TIMINGS, "FSX_DRT_EMULATOR_REQUEST_LOG": str(ctx.request_log), "AWS_REGION": REGION}
            env.pop("MOTO_ACCOUNT_ID", None)
            env.pop("FSX_DRT_EMULATOR_STACK_DELAY", None)  # the checks expect moto's timing
            proc = subprocess.Popen(
                [sys.executable, str(SERVER), "--port", "0"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=open(Path(tmp.name) / "server.stderr", "w"),
                text=True,
            )
            assert proc.stdout is not None
            lines = [proc.stdout.readline().strip() for _ in range(3)]
            values = dict(line.split("=", 1) for line in lines if "=" in line)
            assert set(values) == {"AWS_ENDPOINT_URL", "AWS_REGION", "FILE_SYSTEM_ID"}, (
                lines,
                (Path(tmp.name) / "server.stderr").read_text(),
            )
            ctx.endpoint = values["AWS_ENDPOINT_URL"]
            ctx.fs_id = values["FILE_SYSTEM_ID"]
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", ctx.endpoint), ctx.endpoint
        ctx.fsx = client("fsx")

        passed = failed = 0
        for check in CHECKS:
            started = time.monotonic()
            try:
                check()
            except Exception:  # noqa: BLE001 - report and go on
                failed += 1
                print(f"FAIL {check.__name__}")
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print(f"ok   {check.__name__} ({time.monotonic() - started:.1f} s)")
        print(f"emulator: {passed} passed, {failed} failed")
        return 1 if failed else 0
    finally:
        if proc is not None:
            stop_server(proc)
            if proc.returncode not in (0, -signal.SIGTERM):
                print(f"server exited with {proc.returncode}:\n" + (Path(tmp.name) / "server.stderr").read_text())
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())

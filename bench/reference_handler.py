"""A stand-in for the reference solution's inline Python function, for `cargo xtask bench lambda`.

Written for this benchmark (not copied): per invocation it does the work the reference does, so
the timing and memory of a Python 3 + boto3 function with that behaviour can be measured against
the Rust `bootstrap` on the same local endpoints:

- logging at DEBUG (the root logger, so botocore's own DEBUG records are emitted too) and the
  event logged in full;
- FILE_SYSTEM_ID, TASK_TYPE, COMPLETION_REPORT_PATH and FSX_PATHS read from the environment
  (FSX_PATHS is read and, as in the reference, not used);
- an FSx client created inside the call;
- DescribeDataRepositoryAssociations filtered by file system, the first AVAILABLE association
  taken;
- CreateDataRepositoryTask for that association's whole path (the file-system path for an
  export, the S3 path for an import) with a FAILED_FILES_ONLY CSV completion report under the
  association's S3 path;
- the response returned with its datetimes made JSON-serialisable.
"""

import datetime
import json
import logging
import os

import boto3

log = logging.getLogger()
log.setLevel(logging.DEBUG)


def _plain(value):
    """The response with every datetime turned into ISO 8601 text."""
    return json.loads(
        json.dumps(
            value,
            default=lambda v: v.isoformat() if isinstance(v, datetime.datetime) else str(v),
        )
    )


def handler(event, context):
    log.debug("event: %s", json.dumps(event))
    file_system_id = os.environ["FILE_SYSTEM_ID"]
    task_type = os.environ["TASK_TYPE"]
    report_path = os.environ["COMPLETION_REPORT_PATH"]
    fsx_paths = os.environ.get("FSX_PATHS", "")
    log.debug(
        "file system %s, task %s, report path %s, paths %r",
        file_system_id,
        task_type,
        report_path,
        fsx_paths,
    )

    fsx = boto3.client("fsx")
    described = fsx.describe_data_repository_associations(
        Filters=[{"Name": "file-system-id", "Values": [file_system_id]}]
    )
    available = [a for a in described.get("Associations", []) if a.get("Lifecycle") == "AVAILABLE"]
    if not available:
        raise RuntimeError(f"no AVAILABLE data repository association on {file_system_id}")
    association = available[0]
    s3_base = association["DataRepositoryPath"].rstrip("/")
    if task_type == "EXPORT_TO_REPOSITORY":
        paths = [association["FileSystemPath"]]
    else:
        paths = [association["DataRepositoryPath"]]

    response = fsx.create_data_repository_task(
        Type=task_type,
        FileSystemId=file_system_id,
        Paths=paths,
        Report={
            "Enabled": True,
            "Path": s3_base + "/" + report_path.lstrip("/"),
            "Format": "REPORT_CSV_20191124",
            "Scope": "FAILED_FILES_ONLY",
        },
    )
    result = _plain(response)
    log.debug("created: %s", json.dumps(result))
    return result

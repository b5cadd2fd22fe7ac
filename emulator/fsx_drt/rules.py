"""Validation rules shared by the backend and its resources: paths, filters, Lustre versions."""

from __future__ import annotations

import json
from typing import Any

from .config import MAX_TASK_PATHS
from .exceptions import BadRequest

FORBIDDEN_PATH_CHARS = ("\u0000", "\u0085", "\u2028", "\u2029", "\r", "\n")


def fingerprint(params: dict[str, Any]) -> str:
    """Canonical form of a request's parameters, for ClientRequestToken checks."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def path_under(path: str, prefix: str) -> bool:
    """Component-wise prefix test: ``/data`` covers ``/data/x`` but not ``/database``."""
    path = "/" + path.strip("/")
    prefix = "/" + prefix.strip("/")
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def s3_under(path: str, prefix: str) -> bool:
    path = path.rstrip("/") + "/"
    prefix = prefix.rstrip("/") + "/"
    return path.startswith(prefix)


def validate_paths(paths: Any, what: str) -> list[str]:
    if paths is None:
        return []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise BadRequest(f"{what} must be a list of strings.")
    if len(paths) > MAX_TASK_PATHS:
        raise BadRequest(f"{what} can contain at most {MAX_TASK_PATHS} paths; got {len(paths)}.")
    for p in paths:
        if len(p) > 4096:
            raise BadRequest(f"A path in {what} is longer than 4096 characters.")
        if any(c in p for c in FORBIDDEN_PATH_CHARS):
            raise BadRequest(f"A path in {what} contains a forbidden character: {p!r}")
    return list(paths)


def invalid_task_paths(task_type: str, paths: list[str]) -> list[str]:
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


def filters_to_dict(filters: Any, allowed: tuple[str, ...], max_filters: int) -> dict[str, list[str]]:
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


LUSTRE_VERSIONS = ("2.10", "2.12", "2.15")


def lustre_version_and_storage(lustre: dict[str, Any], version: Any, storage_type: Any) -> tuple[str, str]:
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


"""The FSx backend: moto's ``FSxBackend`` plus data repository associations and tasks.

State and rules only; ``responses.py`` turns requests into these calls and the results into
JSON, ``resources.py`` holds the association and task classes, ``rules.py`` the validation
shared with them, ``paging.py`` the paging of every describe operation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any, TypeVar
from uuid import uuid4

from moto.core.resource_tagging import TaggedResource
from moto.fsx.models import FSxBackend

from . import urls
from .config import (
    DRA_FILTER_NAMES,
    DRA_LIFECYCLES,
    MAX_ASSOCIATIONS_PER_FILE_SYSTEM,
    RUNNING_LIFECYCLES,
    TASK_FILTER_NAMES,
    TASK_LIFECYCLES,
    TASK_TYPES,
    hex_id,
)
from .exceptions import (
    AutoExportRunning,
    BadRequest,
    DataRepositoryAssociationNotFound,
    DataRepositoryTaskExecuting,
    DataRepositoryTaskNotFound,
    FileSystemNotFound,
    IncompatibleParameterError,
    ResourceNotFound,
    UnsupportedOperation,
)
from .paging import Pager
from .resources import DataRepositoryAssociation, DataRepositoryTask
from .rules import (
    filters_to_dict,
    fingerprint,
    lustre_version_and_storage,
    path_under,
    s3_under,
    validate_paths,
)

R = TypeVar("R")

#: Default page sizes (the FSx model's MaxResults defaults).
DEFAULT_FILE_SYSTEM_PAGE_SIZE = 2147483647
DEFAULT_DRA_PAGE_SIZE = 25
DEFAULT_TASK_PAGE_SIZE = 50
MAX_DRA_PAGE_SIZE = 25

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
        # BaseBackend finds "<module>.urls" from the class's module; name ours outright.
        return urls

    # File systems ------------------------------------------------------------
    def _get_file_system(self, file_system_id: Any) -> Any:
        if not isinstance(file_system_id, str) or file_system_id not in self.file_systems:
            raise FileSystemNotFound(str(file_system_id))
        return self.file_systems[file_system_id]

    def _get_lustre_file_system(self, file_system_id: Any, what: str) -> Any:
        fs = self._get_file_system(file_system_id)
        if fs.file_system_type != "LUSTRE":
            raise UnsupportedOperation(
                f"Data repository {what} are supported only on FSx for Lustre; {file_system_id} is {fs.file_system_type}."
            )
        return fs

    def create_file_system(self, **kwargs: Any) -> Any:  # type: ignore[override]
        lustre = kwargs.get("lustre_configuration")
        version = kwargs.get("file_system_type_version")
        if kwargs.get("file_system_type") == "LUSTRE":
            lustre = dict(lustre or {})
            version, kwargs["storage_type"] = lustre_version_and_storage(
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
        new_id = hex_id("fs")
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

    def describe_file_systems(  # type: ignore[override]
        self,
        file_system_ids: list[str] | None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Any], str | None]:
        """In the order asked for, else in creation order; unknown ids: FileSystemNotFound."""
        pager = Pager({"FileSystemIds": file_system_ids or []}, max_results, next_token, DEFAULT_FILE_SYSTEM_PAGE_SIZE)
        if file_system_ids:
            missing = [i for i in file_system_ids if i not in self.file_systems]
            if missing:
                raise FileSystemNotFound(missing[0])
            position = {fs_id: n for n, fs_id in enumerate(dict.fromkeys(file_system_ids))}
            return pager.page([self.file_systems[i] for i in position], lambda fs: (position[fs.file_system_id],))
        created = {fs_id: extras.get("CreationTime") or 0.0 for fs_id, extras in self.file_system_extras.items()}
        return pager.page(
            self.file_systems.values(), lambda fs: (created.get(fs.file_system_id, 0.0), fs.file_system_id)
        )

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

    # ClientRequestToken --------------------------------------------------------
    @staticmethod
    def _replay(tokens: dict[str, tuple[str, R]], token: str | None, params: dict[str, Any], message: str) -> R | None:
        """What an earlier request with this token made (same parameters), else None.

        The token with other parameters is IncompatibleParameterError (``message``). The caller
        stores (fingerprint(params), resource) under the token once it has made the resource.
        """
        if not token or token not in tokens:
            return None
        seen, resource = tokens[token]
        if seen != fingerprint(params):
            raise IncompatibleParameterError("ClientRequestToken", message)
        return resource

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
            self._get_lustre_file_system(file_system_id, "associations")
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
                    if path_under(file_system_path, other.file_system_path) or path_under(
                        other.file_system_path, file_system_path
                    ):
                        raise BadRequest(
                            f"FileSystemPath {file_system_path} overlaps the FileSystemPath "
                            f"{other.file_system_path} of association {other.association_id}."
                        )
                    if s3_under(data_repository_path, other.data_repository_path) or s3_under(
                        other.data_repository_path, data_repository_path
                    ):
                        raise BadRequest(
                            f"DataRepositoryPath {data_repository_path} overlaps the DataRepositoryPath "
                            f"{other.data_repository_path} of association {other.association_id}."
                        )
            dra = DataRepositoryAssociation(
                self, file_system_id, file_system_path, data_repository_path,
                lifecycle=lifecycle, s3=s3, tags=tags, failure_message=failure_message,
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
        # The request's members but ClientRequestToken, for _replay.
        params = dict(
            FileSystemId=file_system_id, FileSystemPath=file_system_path, DataRepositoryPath=data_repository_path,
            BatchImportMetaDataOnCreate=batch_import_meta_data_on_create,
            ImportedFileChunkSize=imported_file_chunk_size, S3=s3, Tags=tags,
        )
        with self.drt_lock:
            self._get_file_system(file_system_id)
            earlier = self._replay(
                self.association_tokens, client_request_token, params,
                "The ClientRequestToken was already used with different parameters.",
            )
            if earlier is not None:
                return earlier
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
                self.association_tokens[client_request_token] = (fingerprint(params), dra)
            return dra

    def describe_data_repository_associations(
        self,
        association_ids: list[str] | None,
        filters: list[dict[str, Any]] | None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[DataRepositoryAssociation], str | None]:
        """In the order asked for, else in creation order."""
        request = {"AssociationIds": association_ids or [], "Filters": filters or []}
        pager = Pager(request, max_results, next_token, DEFAULT_DRA_PAGE_SIZE, MAX_DRA_PAGE_SIZE)
        filter_dict = filters_to_dict(filters, DRA_FILTER_NAMES, 10)
        with self.drt_lock:
            if association_ids:
                missing = [i for i in association_ids if i not in self.associations]
                if missing:
                    raise DataRepositoryAssociationNotFound(missing)
                position = {dra_id: n for n, dra_id in enumerate(dict.fromkeys(association_ids))}
                result = [self.associations[i] for i in position]
                key = lambda a: (position[a.association_id],)  # noqa: E731
            else:
                result = list(self.associations.values())
                key = lambda a: (a.creation_time, a.association_id)  # noqa: E731
            for fs_id in filter_dict.get("file-system-id", []):
                self._get_file_system(fs_id)
            if "file-system-id" in filter_dict:
                result = [a for a in result if a.file_system_id in filter_dict["file-system-id"]]
            if "data-repository-type" in filter_dict:
                result = [a for a in result if a.data_repository_type in filter_dict["data-repository-type"]]
            if "file-cache-id" in filter_dict:
                result = []  # no File Cache support
            return pager.page(result, key)

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
        paths = validate_paths(paths, "Paths")
        if tags is not None and not 1 <= len(tags) <= 50:
            raise BadRequest("Tags must hold 1 to 50 tags.")
        if release_configuration is not None and task_type != "RELEASE_DATA_FROM_FILESYSTEM":
            raise BadRequest("ReleaseConfiguration is only valid for RELEASE_DATA_FROM_FILESYSTEM tasks.")

        # The request's members but ClientRequestToken, for _replay.
        params = dict(
            Type=task_type, Paths=paths, FileSystemId=file_system_id, Report=report, Tags=tags,
            CapacityToRelease=capacity_to_release, ReleaseConfiguration=release_configuration,
        )
        with self.drt_lock:
            fs = self._get_lustre_file_system(file_system_id, "tasks")
            self._check_task_against_file_system(fs, task_type, report)
            earlier = self._replay(
                self.task_tokens, client_request_token, params,
                "The ClientRequestToken was already used for a CreateDataRepositoryTask "
                "request with different parameters.",
            )
            if earlier is not None:
                return earlier
            now = time.time()
            for other in self.data_repository_tasks.values():
                if other.file_system_id == file_system_id and other.lifecycle_at(now) in RUNNING_LIFECYCLES:
                    raise DataRepositoryTaskExecuting(file_system_id, other.task_id)
            if task_type == "EXPORT_TO_REPOSITORY" and file_system_id in self.auto_export_running:
                exporting = self._auto_export_associations(file_system_id)
                if exporting:
                    raise AutoExportRunning(file_system_id, exporting)
            task = DataRepositoryTask(
                self, task_type, file_system_id, paths, report, tags, capacity_to_release, release_configuration, now
            )
            self.data_repository_tasks[task.task_id] = task
            if client_request_token:
                self.task_tokens[client_request_token] = (fingerprint(params), task)
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
            if not any(s3_under(report["Path"], loc) for loc in locations):
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
            return any(s3_under(p, dra.data_repository_path) for p in task.paths)
        return any(path_under(p, dra.file_system_path) for p in task.paths)

    def describe_data_repository_tasks(
        self,
        task_ids: list[str] | None,
        filters: list[dict[str, Any]] | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[tuple[DataRepositoryTask, float]], str | None]:
        """Newest first. Returns ((task, observation time) list, NextToken)."""
        request = {"TaskIds": task_ids or [], "Filters": filters or []}
        pager = Pager(request, max_results, next_token, DEFAULT_TASK_PAGE_SIZE)
        filter_dict = filters_to_dict(filters, TASK_FILTER_NAMES, 3)
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
            page, new_token = pager.page(tasks, lambda t: (t.creation_time, t.task_id), descending=True)
            for task in page:
                task.deliver_report(now)
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

"""Request handlers: moto's ``FSxResponse`` plus the data repository operations (JSON in, JSON out).

moto derives the action from ``X-Amz-Target``
(``AWSSimbaAPIService_v20180301.CreateDataRepositoryTask`` -> ``create_data_repository_task``),
so a new operation is one new method here and one in ``models.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import moto.fsx.models as moto_fsx_models
from moto.fsx.responses import FSxResponse

from .exceptions import BadRequest
from .paging import page_body

if TYPE_CHECKING:
    from .models import FSxDrtBackend


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
        p = self._params()
        file_systems, next_token = self.fsx_backend.describe_file_systems(
            file_system_ids=p.get("FileSystemIds"),
            max_results=p.get("MaxResults"),
            next_token=p.get("NextToken"),
        )
        return page_body("FileSystems", [self.fsx_backend.file_system_to_dict(fs) for fs in file_systems], next_token)

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
        dras, next_token = self.fsx_backend.describe_data_repository_associations(
            association_ids=p.get("AssociationIds"),
            filters=p.get("Filters"),
            max_results=p.get("MaxResults"),
            next_token=p.get("NextToken"),
        )
        return page_body("Associations", [d.to_dict() for d in dras], next_token)

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
        return page_body("DataRepositoryTasks", [t.to_dict(now) for t, now in tasks], next_token)

    def cancel_data_repository_task(self) -> str:
        p = self._params()
        task_id, lifecycle = self.fsx_backend.cancel_data_repository_task(p.get("TaskId"))
        return json.dumps({"Lifecycle": lifecycle, "TaskId": task_id})

"""Request handlers: moto's ``FSxResponse`` plus the data repository operations (JSON in, JSON out).

moto derives the action from ``X-Amz-Target``
(``AWSSimbaAPIService_v20180301.CreateDataRepositoryTask`` -> ``create_data_repository_task``),
so a new operation is one new method here and one in ``models.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import moto.fsx.models as moto_fsx_models
from moto.core.utils import camelcase_to_underscores
from moto.fsx.responses import FSxResponse

from .exceptions import BadRequest
from .paging import page_body

if TYPE_CHECKING:
    from .models import FSxDrtBackend

#: The members of every paged request (see paging.py).
PAGING = ("MaxResults", "NextToken")


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

    def _call(self, operation: str, *members: str, **renamed: str) -> Any:
        """The backend's OPERATION with the request's members as keyword arguments.

        Each member goes by its snake_case name (FileSystemId -> file_system_id), as moto's
        backends name them; ``renamed`` maps a keyword to a member where the names differ.
        """
        p = self._params()
        kwargs = {camelcase_to_underscores(member): p.get(member) for member in members}
        kwargs.update({keyword: p.get(member) for keyword, member in renamed.items()})
        return getattr(self.fsx_backend, operation)(**kwargs)

    # File systems: add Lifecycle/CreationTime/OwnerId to moto's output.
    def create_file_system(self) -> str:
        data = json.loads(super().create_file_system())
        fs = self.fsx_backend.file_systems[data["FileSystem"]["FileSystemId"]]
        return json.dumps({"FileSystem": self.fsx_backend.file_system_to_dict(fs)})

    def describe_file_systems(self) -> str:
        file_systems, next_token = self._call("describe_file_systems", "FileSystemIds", *PAGING)
        return page_body("FileSystems", [self.fsx_backend.file_system_to_dict(fs) for fs in file_systems], next_token)

    # Associations
    def create_data_repository_association(self) -> str:
        dra = self._call(
            "create_data_repository_association",
            "FileSystemId", "FileSystemPath", "DataRepositoryPath", "BatchImportMetaDataOnCreate",
            "ImportedFileChunkSize", "S3", "ClientRequestToken", "Tags",
        )
        return json.dumps({"Association": dra.to_dict()})

    def describe_data_repository_associations(self) -> str:
        dras, next_token = self._call("describe_data_repository_associations", "AssociationIds", "Filters", *PAGING)
        return page_body("Associations", [d.to_dict() for d in dras], next_token)

    # Tasks
    def create_data_repository_task(self) -> str:
        task = self._call(
            "create_data_repository_task",
            "Paths", "FileSystemId", "Report", "ClientRequestToken", "Tags", "CapacityToRelease",
            "ReleaseConfiguration", task_type="Type",
        )
        return json.dumps({"DataRepositoryTask": task.to_dict()})

    def describe_data_repository_tasks(self) -> str:
        tasks, next_token = self._call("describe_data_repository_tasks", "TaskIds", "Filters", *PAGING)
        return page_body("DataRepositoryTasks", [t.to_dict(now) for t, now in tasks], next_token)

    def cancel_data_repository_task(self) -> str:
        task_id, lifecycle = self._call("cancel_data_repository_task", "TaskId")
        return json.dumps({"Lifecycle": lifecycle, "TaskId": task_id})

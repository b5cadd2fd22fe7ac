"""FSx's modelled exceptions, as the AWS SDKs expect them (HTTP 400, awsJson1_1 error body).

Same base as ``moto.fsx.exceptions`` (``JsonRESTError``); the body also carries ``Message``,
the member name in the FSx model (moto writes ``message``, so both are sent).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError


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
        super().__init__(f"The data repository task {task_id} could not be canceled because the task has already ended ({lifecycle}).")


class _IdsNotFound(FSxDrtError):
    """Some of the ids asked for do not exist: "The data repository THING or THINGs ..."."""

    thing = ""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(
            f"The data repository {self.thing} or {self.thing}s you specified could not be found: {', '.join(ids)}"
        )


class DataRepositoryTaskNotFound(_IdsNotFound):
    error_name = "DataRepositoryTaskNotFound"
    thing = "task"


class DataRepositoryAssociationNotFound(_IdsNotFound):
    error_name = "DataRepositoryAssociationNotFound"
    thing = "association"


class InvalidNextToken(BadRequest):
    """moto's paginator raises this (with the token) for a NextToken it cannot use."""

    def __init__(self, token: Any = None) -> None:
        super().__init__("The NextToken provided is invalid.")


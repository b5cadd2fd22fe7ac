"""A stack resource that fails rolls the stack back, as in CloudFormation.

moto 5.2.5 has no rollback ("TODO: handle execution errors and implement rollback" in
``execute_change_set``): an exception while it creates or updates a resource escapes the
CreateStack/UpdateStack/ExecuteChangeSet request as an error of that request, and the stack
stays ``*_IN_PROGRESS``. CloudFormation instead accepts the request, marks the resource
``CREATE_FAILED``/``UPDATE_FAILED`` with the handler's message and rolls the stack back.

A resource model of this emulator (scheduler_resources.py) raises ``ResourceFailed`` for a
property the service refuses; ``install()`` wraps the three operations so that then:

* create (CreateStack, or ExecuteChangeSet of a CREATE change set): resource event
  ``CREATE_FAILED`` (ResourceStatusReason: ``Resource handler returned message: "MESSAGE
  (Service: SERVICE, Status Code: 400, Request ID: ID)" (RequestToken: TOKEN,
  HandlerErrorCode: InvalidRequest)``, CloudFormation's wording for registry resources), stack
  events ``ROLLBACK_IN_PROGRESS`` ("The following resource(s) failed to create: [ID].
  Rollback requested by user."), the resources made so far are deleted, ``ROLLBACK_COMPLETE``;
  StackStatus ``ROLLBACK_COMPLETE``;
* update (UpdateStack, or ExecuteChangeSet of an UPDATE change set): ``UPDATE_FAILED``,
  ``UPDATE_ROLLBACK_IN_PROGRESS`` ("The following resource(s) failed to update: [ID]. "), the
  previous template and parameters are applied again,
  ``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS``, ``UPDATE_ROLLBACK_COMPLETE``.

If undoing fails as well, the stack ends ``ROLLBACK_FAILED`` / ``UPDATE_ROLLBACK_FAILED``.

The change set's ExecutionStatus is ``EXECUTE_FAILED``. Other exceptions are left to moto.
Only the failed resource gets an event: moto writes no resource events.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any, Callable

_installed = False


class ResourceFailed(Exception):
    """A resource's handler refused its properties (HandlerErrorCode InvalidRequest and the
    service's HTTP status 400 unless told)."""

    def __init__(
        self,
        logical_id: str,
        resource_type: str,
        service: str,
        message: str,
        handler_error_code: str | None = None,
        status_code: int = 400,
    ) -> None:
        super().__init__(message)
        code = handler_error_code or "InvalidRequest"
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = (
            f'Resource handler returned message: "{message} (Service: {service}, Status Code: {status_code}, '
            f'Request ID: {uuid.uuid4()})" (RequestToken: {uuid.uuid4()}, HandlerErrorCode: {code})'
        )


def _resource_event(stack: Any, failure: ResourceFailed, status: str) -> None:
    from moto.cloudformation.models import Event

    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=failure.logical_id,
            physical_resource_id="",
            resource_type=failure.resource_type,
            resource_status=status,
            resource_status_reason=failure.reason,
            resource_properties=None,
        )
    )


def _undo(stack: Any, failed_status: str, undo: Callable[[], None]) -> bool:
    """Run the rollback's resource work; if that fails too, the stack ends failed_status."""
    try:
        undo()
    except Exception as error:  # noqa: BLE001 - any failure of the rollback ends it
        stack._add_stack_event(failed_status, resource_status_reason=str(error))
        stack.status = failed_status
        return False
    return True


def roll_back_create(stack: Any, failure: ResourceFailed) -> None:
    from moto.cloudformation.parsing import OutputMap

    _resource_event(stack, failure, "CREATE_FAILED")
    stack._add_stack_event(
        "ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to create: [{failure.logical_id}]. Rollback requested by user.",
    )
    if not _undo(stack, "ROLLBACK_FAILED", stack.resource_map.delete):
        return
    # Nothing is left: no resources (moto's map would create the rest lazily when read), no outputs.
    stack.resource_map._resource_json_map = {}
    stack.output_map = OutputMap(stack.resource_map, {"Resources": {}}, stack.stack_id)
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"


def roll_back_update(stack: Any, failure: ResourceFailed, template: dict[str, Any], parameters: dict[str, Any]) -> None:
    _resource_event(stack, failure, "UPDATE_FAILED")
    stack._add_stack_event(
        "UPDATE_ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to update: [{failure.logical_id}]. ",
    )
    if not _undo(stack, "UPDATE_ROLLBACK_FAILED", lambda: stack.resource_map.update(template, parameters)):
        return
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"


def _before(stack: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The template and parameters an update rolls back to."""
    return stack.template_dict, dict(stack.resource_map.input_parameters or {})


def _patch(owner: Any, name: str, make: Callable[[Any], Callable[..., Any]]) -> None:
    original = getattr(owner, name)
    patched = functools.wraps(original)(make(original))
    setattr(owner, name, patched)


def install() -> None:
    """Wrap CreateStack's, UpdateStack's and ExecuteChangeSet's resource work. Install after
    moto_fixes (its ExecuteChangeSet fix must not run for a rolled back change set)."""
    global _installed
    if _installed:
        return
    from moto.cloudformation.models import CloudFormationBackend, Stack

    def create_resources(original: Any) -> Callable[..., None]:
        def wrapped(self: Any) -> None:
            try:
                original(self)
            except ResourceFailed as failure:
                roll_back_create(self, failure)

        return wrapped

    def update(original: Any) -> Callable[..., None]:
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> None:
            template, parameters = _before(self)
            body = self.template
            try:
                original(self, *args, **kwargs)
            except ResourceFailed as failure:
                self.template = body  # moto set the new one first; GetTemplate shows the one in force
                self._parse_template()
                roll_back_update(self, failure, template, parameters)

        return wrapped

    def execute_change_set(original: Any) -> Callable[..., Any]:
        def wrapped(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
            before = {stack.stack_id: _before(stack) for stack in self.stacks.values()}
            try:
                return original(self, change_set_name, stack_name)
            except ResourceFailed as failure:
                change_set = next(
                    cs
                    for cs in reversed(list(self.change_sets.values()))
                    if change_set_name in (cs.change_set_id, cs.change_set_name)
                    and (stack_name is None or stack_name in (cs.stack_id, cs.stack_name))
                )
                stack = self.stacks[change_set.stack_id]
                if change_set.change_set_type == "CREATE":
                    roll_back_create(stack, failure)
                else:
                    roll_back_update(stack, failure, *before[stack.stack_id])
                change_set.execution_status = "EXECUTE_FAILED"
                return None

        return wrapped

    _patch(Stack, "create_resources", create_resources)
    _patch(Stack, "update", update)
    _patch(CloudFormationBackend, "execute_change_set", execute_change_set)
    _installed = True

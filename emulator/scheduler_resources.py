"""EventBridge Scheduler in stacks: AWS::Scheduler::ScheduleGroup and AWS::Scheduler::Schedule.

moto 5.2.5 implements the Scheduler API (moto/scheduler/) but no CloudFormation model for
either type: a template's schedules were skipped with a "No Moto CloudFormation support"
warning. ``install()`` adds both models, backed by moto's Scheduler state, so that
``aws scheduler list-schedules`` / ``get-schedule`` / ``get-schedule-group`` show what a stack
made, and makes moto's API refuse what Scheduler refuses (scheduler_rules.py).

AWS::Scheduler::ScheduleGroup (properties Name, Tags)
    Ref: the name. Fn::GetAtt: Arn, CreationDate, LastModificationDate (ISO 8601), State
    (ACTIVE). A new Name replaces the group (the old one goes when the stack's schedules
    have left it); Tags change in place. Deleted after the
    stack's schedules in it (a group holding them waits for the next deletion pass);
    schedules made outside the stack go with the group, as with DeleteScheduleGroup.
AWS::Scheduler::Schedule (Name, GroupName, Description, ScheduleExpression,
    ScheduleExpressionTimezone, StartDate, EndDate, State, KmsKeyArn, FlexibleTimeWindow,
    Target)
    Ref: the name. Fn::GetAtt: Arn. A new Name or GroupName replaces the schedule (made
    first, then the old one deleted); anything else is an UpdateSchedule, which, as in
    Scheduler, resets what the template leaves out to the default (State ENABLED, zone
    UTC). StartDate/EndDate are ISO 8601 strings, kept as timestamps. Numbers given as
    strings (template parameters) are read as numbers.
    Without Name, both get CloudFormation's generated STACK-LOGICALID-SUFFIX (at most 64
    characters).

A refused property fails the resource (stack_rollback.ResourceFailed, so the stack rolls
back) with the API's message: ValidationException for what scheduler_rules.py refuses,
ConflictException for a name in use, ResourceNotFoundException for a GroupName that does not
exist. CloudFormation validates some properties against the resource schema before calling
the service ("Properties validation failed for resource ..."); here every check is the
service's.

API fixes (moto 5.2.5 accepts anything): CreateSchedule and UpdateSchedule check
scheduler_rules.check_schedule; CreateSchedule in a group that does not exist is
ResourceNotFoundException "Schedule group NAME does not exist." (moto: HTTP 500 KeyError);
ConflictException is HTTP 409 as modelled (moto: 400); CreateScheduleGroup checks the name
and refuses one in use with ConflictException "Schedule group NAME already exists." (moto
replaced the group and lost its schedules); DeleteScheduleGroup of an unknown group is
ResourceNotFoundException (moto: HTTP 500); UpdateSchedule without State makes it ENABLED
(moto stored null). Every Scheduler error body carries ``Message`` besides ``message``.

Not emulated: schedules never fire (no target is invoked, nothing reaches the dead-letter
queue, ActionAfterCompletion never applies); KMS keys, target and role ARNs are checked for
their form only, not for existence or permissions; ClientToken is ignored.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
from typing import Any, Callable

from scheduler_rules import ValidationException, check_group_name, check_schedule
from stack_rollback import ResourceFailed

_installed = False
SERVICE = "Scheduler"
HANDLER_CODES = {"ConflictException": "AlreadyExists", "ResourceNotFoundException": "NotFound"}


def _backend(account_id: str, region_name: str) -> Any:
    from moto.scheduler.models import scheduler_backends

    return scheduler_backends[account_id][region_name]


def _modelled(error: Any) -> Any:
    """A moto Scheduler error with the modelled ``Message`` member and HTTP status."""
    if error.error_type == "ConflictException":
        error.code = 409
    body = {"__type": error.error_type, "message": error.message, "Message": error.message}
    error.description = json.dumps(body)
    return error


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------


def _fix_api() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.scheduler.exceptions import ScheduleGroupNotFound
    from moto.scheduler.models import EventBridgeSchedulerBackend

    def modelled_errors(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            except JsonRESTError as error:
                raise _modelled(error) from None

        return method

    def checked_schedule(original: Callable[..., Any], creating: bool) -> Callable[..., Any]:
        def method(self: Any, **kwargs: Any) -> Any:
            request = {_member(key): value for key, value in kwargs.items()}
            check_schedule(request)
            if creating:
                self.get_schedule_group(kwargs.get("group_name"))
            kwargs["state"] = kwargs.get("state") or "ENABLED"
            return original(self, **kwargs)

        return method

    def create_schedule_group(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: Any, name: str, tags: list[dict[str, str]] | None) -> Any:
            check_group_name(name)
            if name in self.schedule_groups:
                raise _modelled(JsonRESTError("ConflictException", f"Schedule group {name} already exists."))
            return original(self, name=name, tags=tags or [])

        return method

    def delete_schedule_group(original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: Any, name: str | None) -> None:
            if (name or "default") not in self.schedule_groups:
                raise ScheduleGroupNotFound(name or "default")
            original(self, name)

        return method

    patches = {
        "create_schedule": lambda original: checked_schedule(original, creating=True),
        "update_schedule": lambda original: checked_schedule(original, creating=False),
        "create_schedule_group": create_schedule_group,
        "delete_schedule_group": delete_schedule_group,
    }
    for name in ("create_schedule", "update_schedule", "get_schedule", "delete_schedule", "create_schedule_group",
                 "get_schedule_group", "delete_schedule_group"):
        original = getattr(EventBridgeSchedulerBackend, name)
        fixed = patches[name](original) if name in patches else original
        setattr(EventBridgeSchedulerBackend, name, modelled_errors(functools.wraps(original)(fixed)))


def _member(keyword: str) -> str:
    """moto's keyword (schedule_expression_timezone) -> the API member (ScheduleExpressionTimezone)."""
    return "".join(part.capitalize() for part in keyword.split("_"))


# --------------------------------------------------------------------------------------------
# CloudFormation
# --------------------------------------------------------------------------------------------


def _generated(resource_name: str) -> str:
    """CloudFormation's generated name, STACK-LOGICALID-SUFFIX, cut to the 64 characters allowed."""
    if len(resource_name) <= 64:
        return resource_name
    prefix, _, suffix = resource_name.rpartition("-")
    return f"{prefix[: 63 - len(suffix)]}-{suffix}"


def _number(value: Any) -> Any:
    """CloudFormation reads a schema Number given as a string (a parameter) as that number."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def _timestamp(value: Any, member: str) -> float | None:
    if value is None:
        return None
    try:
        moment = _dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationException(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must be a date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.timestamp()


def _iso(unix_time: float | None) -> str | None:
    if unix_time is None:
        return None
    return _dt.datetime.fromtimestamp(unix_time, _dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _schedule_request(properties: dict[str, Any], name: str) -> dict[str, Any]:
    """The template's properties as moto's create_schedule/update_schedule keywords."""
    target = dict(properties.get("Target") or {}) if properties.get("Target") is not None else None
    if target and isinstance(target.get("RetryPolicy"), dict):
        target["RetryPolicy"] = {key: _number(value) for key, value in target["RetryPolicy"].items()}
    window = properties.get("FlexibleTimeWindow")
    if isinstance(window, dict):
        window = {key: _number(value) for key, value in window.items()}
    return {
        "name": name,
        "group_name": properties.get("GroupName"),
        "description": properties.get("Description"),
        "schedule_expression": properties.get("ScheduleExpression"),
        "schedule_expression_timezone": properties.get("ScheduleExpressionTimezone"),
        "start_date": _timestamp(properties.get("StartDate"), "startDate"),
        "end_date": _timestamp(properties.get("EndDate"), "endDate"),
        "state": properties.get("State"),
        "kms_key_arn": properties.get("KmsKeyArn"),
        "flexible_time_window": window,
        "target": target,
    }


def _failing(logical_id: str, resource_type: str, call: Callable[[], Any]) -> Any:
    """Run a Scheduler call for a stack resource; a refusal fails the resource."""
    from moto.core.exceptions import JsonRESTError

    try:
        return call()
    except JsonRESTError as error:
        raise ResourceFailed(logical_id, resource_type, SERVICE, error.message, HANDLER_CODES.get(error.error_type)) from None


class StackSchedulesRemain(RuntimeError):
    """A stack's group cannot go before the stack's schedules in it (moto retries the delete)."""


#: (account, region, group, stack id) of replaced groups waiting for their stack's schedules to leave
_replaced_groups: set[tuple[str, str, str, str]] = set()


class _NamedResource:
    """What both models share: the type in TYPE, Name the name property, Ref the name.

    A mixin, not a CloudFormationModel: moto finds models as CloudFormationModel's direct
    subclasses."""

    TYPE = ""
    name: str

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def is_created(self) -> bool:
        return True


def _add_models() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.scheduler.exceptions import ScheduleGroupNotFound, ScheduleNotFound

    if "AWS::Scheduler::Schedule" in parsing.get_model_map():
        return  # moto has them now: use moto's

    class SchedulerScheduleGroup(_NamedResource, CloudFormationModel):
        # moto's model registry (BaseModel's metaclass) takes the service from the module.
        __module__ = "moto.scheduler.models"
        TYPE = "AWS::Scheduler::ScheduleGroup"

        def __init__(self, account_id: str, region_name: str, name: str, logical_id: str, stack_id: str) -> None:
            self.account_id, self.region_name = account_id, region_name
            self.name, self.logical_id, self.stack_id = name, logical_id, stack_id

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in ("Arn", "CreationDate", "LastModificationDate", "State")

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            group = _backend(self.account_id, self.region_name).get_schedule_group(self.name).to_dict()
            if attribute_name in ("CreationDate", "LastModificationDate"):
                return _iso(group[attribute_name])
            return group[attribute_name]

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
        ) -> "SchedulerScheduleGroup":
            properties = cloudformation_json.get("Properties") or {}
            name = properties.get("Name") or _generated(resource_name)
            logical_id = kwargs.get("LogicalId", resource_name)
            backend = _backend(account_id, region_name)
            tags = list(properties.get("Tags") or [])
            _failing(logical_id, cls.TYPE, lambda: backend.create_schedule_group(name=name, tags=tags))
            return cls(account_id, region_name, name, logical_id, kwargs.get("StackId", ""))

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> "SchedulerScheduleGroup":
            properties = cloudformation_json.get("Properties") or {}
            if properties.get("Name", original_resource.name) != original_resource.name:  # replacement
                kwargs = {"LogicalId": original_resource.logical_id, "StackId": original_resource.stack_id}
                new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name, **kwargs)
                try:
                    original_resource.delete(account_id, region_name)
                except StackSchedulesRemain:  # they move to the new group next: the last one out deletes it
                    _replaced_groups.add((account_id, region_name, original_resource.name, original_resource.stack_id))
                return new
            backend = _backend(account_id, region_name)
            group = backend.get_schedule_group(original_resource.name)
            backend.tagger.untag_resource_using_names(group.arn, [t["Key"] for t in backend.list_tags_for_resource(group.arn)["Tags"]])
            backend.tag_resource(group.arn, list(properties.get("Tags") or []))
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> None:
            cls(account_id, region_name, resource_name, "", "").delete(account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            backend = _backend(account_id, region_name)
            group = backend.schedule_groups.get(self.name)
            if group is None:
                return  # already gone: a delete that finds nothing succeeds
            if any(getattr(s, "fsx_drt_stack_id", None) == self.stack_id for s in group.schedules.values() if self.stack_id):
                raise StackSchedulesRemain(f"schedule group {self.name} still holds schedules of its stack")  # next pass
            backend.delete_schedule_group(self.name)

    class SchedulerSchedule(_NamedResource, CloudFormationModel):
        __module__ = "moto.scheduler.models"
        TYPE = "AWS::Scheduler::Schedule"

        def __init__(self, account_id: str, region_name: str, name: str, group: str, logical_id: str, stack_id: str) -> None:
            self.account_id, self.region_name = account_id, region_name
            self.name, self.group, self.logical_id, self.stack_id = name, group, logical_id, stack_id

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            return _backend(self.account_id, self.region_name).get_schedule(self.group, self.name).arn

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
        ) -> "SchedulerSchedule":
            properties = cloudformation_json.get("Properties") or {}
            logical_id = kwargs.get("LogicalId", resource_name)
            name = properties.get("Name") or _generated(resource_name)
            backend = _backend(account_id, region_name)

            def create() -> Any:
                return backend.create_schedule(**_schedule_request(properties, name), action_after_completion=None)

            schedule = _failing(logical_id, cls.TYPE, create)
            schedule.fsx_drt_stack_id = kwargs.get("StackId", "")
            return cls(account_id, region_name, name, schedule.group_name, logical_id, schedule.fsx_drt_stack_id)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> "SchedulerSchedule":
            properties = cloudformation_json.get("Properties") or {}
            name = properties.get("Name", original_resource.name)
            if name != original_resource.name or (properties.get("GroupName") or "default") != original_resource.group:
                kwargs = {"LogicalId": original_resource.logical_id, "StackId": original_resource.stack_id}
                new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name, **kwargs)
                original_resource.delete(account_id, region_name)
                return new
            backend = _backend(account_id, region_name)
            request = _failing(original_resource.logical_id, cls.TYPE, lambda: _schedule_request(properties, name))
            _failing(original_resource.logical_id, cls.TYPE, lambda: backend.update_schedule(**request))
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> None:
            group = (cloudformation_json.get("Properties") or {}).get("GroupName") or "default"
            cls(account_id, region_name, resource_name, group, "", "").delete(account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            try:
                _backend(account_id, region_name).delete_schedule(self.group, self.name)
            except (ScheduleNotFound, ScheduleGroupNotFound):
                pass  # already gone: a delete that finds nothing succeeds
            for key in [key for key in _replaced_groups if key[:3] == (account_id, region_name, self.group)]:
                with contextlib.suppress(StackSchedulesRemain):
                    SchedulerScheduleGroup(account_id, region_name, self.group, "", key[3]).delete(account_id, region_name)
                    _replaced_groups.discard(key)

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    models = parsing.get_model_map()
    assert models[SchedulerScheduleGroup.TYPE] is SchedulerScheduleGroup and models[SchedulerSchedule.TYPE] is SchedulerSchedule


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_api()
    _add_models()
    _installed = True

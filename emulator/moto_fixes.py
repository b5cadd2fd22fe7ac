"""Fixes for moto bugs that fsx-drt's local runs would otherwise hit.

Installed by emulator/server.py next to fsx_drt.install(). Each fix wraps
one moto method and is a no-op once moto behaves (it only fills in what is
missing), so upgrading moto is safe; drop a fix when moto has it.

1. CloudFormation ExecuteChangeSet leaves the stack's Outputs empty (CREATE)
   or stale (UPDATE) in moto 5.2.5: ``CloudFormationBackend.execute_change_set``
   applies the change set's resources but never rebuilds ``Stack.output_map``
   or ``Stack.template_dict`` (``Stack.update``, used by UpdateStack, does).
   The fix rebuilds both from the change set after moto has applied it, so
   DescribeStacks shows the outputs as with CreateStack/UpdateStack.
   It also keeps ``Stack.parameters`` (the values the stack was deployed with)
   current: moto leaves those of the stack's first deployment in place, which
   fix 2 compares against.

2. An UPDATE change set that changes nothing must end FAILED with "The submitted
   information didn't contain changes." (clients such as `aws cloudformation
   deploy --no-fail-on-empty-changeset` and fsx-drt take that as "up to date").
   moto 5.2.5 decides by comparing the request's parameters with the stack's as
   given, so a parameter sent as UsePreviousValue (`aws cloudformation deploy`
   does that for every template parameter it is not given) or left at its
   Default one time and given the next looks like a change, and an unchanged
   redeploy runs an update. The fix compares the effective values (template
   Defaults overlaid with the values given) of the same template, as
   CloudFormation does, and marks such a change set FAILED with that reason.
   moto also refuses such a CreateChangeSet outright ("No updates are to be
   performed.", a ValidationError that only UpdateStack gives) when the values
   sent happen to equal its typed ones, e.g. every one UsePreviousValue; for
   CreateChangeSet that check is skipped, so the change set says it instead.

3. Stack events carry the operation's ClientRequestToken. CloudFormation's StackEvent has
   ClientRequestToken: "The token passed to the operation that generated this event. All
   events triggered by a given stack operation are assigned the same client request token"
   (ExecuteChangeSet, CreateStack, UpdateStack, DeleteStack take one). moto 5.2.5's Event has
   the attribute (always None) and serialises it when set, but never sets it. The fix holds
   the token of the request being served (per thread: the server serves each request in one
   thread, and moto finishes the operation inside the request) and stamps every Event built
   meanwhile, so the final event stack_delay.py re-times keeps it too.

4. AWS::Lambda::EventInvokeConfig (FunctionName, Qualifier, MaximumRetryAttempts 0-2,
   MaximumEventAgeInSeconds 60-21600, DestinationConfig): moto 5.2.5 has no CloudFormation
   model for it, so a template's config was skipped with a "No Moto CloudFormation support"
   warning and nothing existed. The fix adds the model, backed by moto's Lambda
   PutFunctionEventInvokeConfig state, so `aws lambda get-function-event-invoke-config` shows
   what the stack set, through create, update (in place) and delete. moto's own put appends
   and its get returns the first config ever put; the model replaces instead (one config per
   function and qualifier in Lambda). The Qualifier is kept but not separated: moto's Lambda
   holds one config per function.

5. Termination protection. moto 5.2.5 stores EnableTerminationProtection (CreateStack) and
   DescribeStacks returns it, but DeleteStack ignores it and UpdateTerminationProtection is
   not implemented. CloudFormation refuses the delete with ValidationError "Stack [NAME]
   cannot be deleted while TerminationProtection is enabled" (HTTP 400) and the stack stays;
   UpdateTerminationProtection (StackName, EnableTerminationProtection) returns the StackId.

6. S3 ExpectedBucketOwner. With the x-amz-expected-bucket-owner header (the SDKs'
   ExpectedBucketOwner) naming an account other than the bucket's owner, S3 answers HTTP 403
   AccessDenied ("If the account ID that you provide does not match the actual owner of the
   bucket, the request fails with the HTTP status code 403 Forbidden (access denied)", S3
   API reference); likewise x-amz-source-expected-bucket-owner for a copy's source bucket.
   moto 5.2.5 ignores both. The fix checks them (also given as query parameters, as in a
   presigned URL) before moto handles a bucket or object request; a bucket that does not
   exist is left to moto (NoSuchBucket).

7. Change sets after the stack moves on. ExecuteChangeSet: "When you execute a change set,
   CloudFormation deletes all other change sets associated with the stack because they aren't
   valid for the updated stack"; a change set whose ExecutionStatus is not AVAILABLE cannot be
   executed (InvalidChangeSetStatusException, HTTP 400: "the change set status might be
   CREATE_IN_PROGRESS, or the stack status might be UPDATE_IN_PROGRESS"); an unknown one is
   ChangeSetNotFoundException (HTTP 404) for DescribeChangeSet and ExecuteChangeSet alike.
   DescribeStacks gives LastUpdatedTime ("The time the stack was last updated") once a stack
   has been updated. moto 5.2.5 keeps every change set, executes any again, answers an unknown
   name with a ValidationError (DescribeChangeSet) or a server error (ExecuteChangeSet), and
   never sets LastUpdatedTime. The fix does all four, so a reviewed change set that the stack
   has outgrown is refused as it would be on AWS.

8. Drift detection. moto 5.2.5 has none: DetectStackDrift, DetectStackResourceDrift,
   DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts raised NotImplementedError,
   which its server turns into an HTML HTTP 500 that clients retry and cannot parse. The fix
   answers them as an AWS endpoint answers an action it does not offer: the common error
   InvalidAction (HTTP 400, "The action or operation requested is invalid", CloudFormation API
   reference, Common Errors), at once and without retries. No drift is detected: answering
   IN_SYNC without comparing the resources would be a lie, so clients report drift as not
   checked here.

9. A resource moto cannot update in place (no ``update_from_cloudformation_json``, e.g.
   AWS::KMS::Key, AWS::SNS::Subscription) but whose template entry changed, say by gaining a
   ``Condition`` that holds: moto 5.2.5's ``parse_and_update_resource`` returns None and the
   stack's resource map keeps None for it, so a later Ref/GetAtt (DescribeStacks' outputs)
   fails with "references undefined resource" (HTTP 500). CloudFormation keeps the resource.
   The fix keeps the resource moto had when moto returns None for a resource still in the
   stack (its condition, if any, holding).

10. Conditions on an update. CloudFormation deletes a resource whose Condition no longer
   holds and creates one whose Condition has come to hold ("resources ... are created only
   when the condition is true", template reference, Conditions). moto 5.2.5 decides an
   update's resources by comparing the template entries alone, so a resource whose entry is
   the same but whose condition changed with a parameter stays, or stays missing. The fix,
   after moto's update, deletes the resources whose condition is false and creates those
   whose condition is true that the stack lacks; DescribeStackResources lists only the
   resources the stack has (moto listed one without a type for each whose condition is
   false). (The change set's list of changes is still moto's.)

11. Stack tags on an update. A change set's Tags are the stack's tags once it executes (as
   with UpdateStack: "If you don't specify this parameter, CloudFormation doesn't modify the
   stack's tags"), and a change set that changes only the tags is a change (CloudFormation
   lists the resources the tags propagate to, ResourceChange Scope "Tags"), not an empty one.
   moto 5.2.5 keeps the tags of the stack's creation and calls a tags-only change set empty
   (fix 2). An empty Tags list cannot be told from none in moto's parsing, so it keeps them.

12. Lambda environment values are strings (the API's Environment.Variables is a map of
    strings; CloudFormation passes a template's numbers as strings). moto keeps a template's
    number as a JSON number, which the AWS SDK for Rust cannot read (GetFunctionConfiguration:
    "expected ValueString"). The fix makes every value a string (JSON text: 60 -> "60") before
    a function's configuration is answered.

13. List parameters (CommaDelimitedList, List<...>) are described as given: DescribeStacks'
    ParameterValue is the string the stack was given ("a,b"), as CloudFormation answers it,
    and so is a UsePreviousValue's previous value. moto 5.2.5 splits the value for Ref (which
    is right) and then answers the Python list's text ("['a', 'b']"), so a redeploy of the
    same value looked like a change. The fix answers list values joined with ",".
14. Change set names are scoped by stack: DescribeChangeSet and DeleteChangeSet take
    "ChangeSetName: The name or Amazon Resource Name (ARN) of the change set ... If you
    specified the name of a change set, specify the stack name or ID (ARN) of the change set"
    (CloudFormation API reference), so two stacks may each have a change set of one name (a
    fleet's reviewed deploy makes one per member). moto 5.2.5 ignores StackName there and
    answers (or deletes) whichever change set of that name it finds first in the region. The
    fix looks the name up among the named stack's change sets (ChangeSetNotFoundException when
    it has none of that name).
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any, Callable

_installed = False


def _patch(owner: Any, name: str, make: Callable[[Any], Callable[..., Any]]) -> None:
    """Replace ``owner.name`` by ``make(original)``, once per fix (a second install is a
    no-op; two fixes of one method wrap each other)."""
    original = getattr(owner, name)
    fixes = getattr(original, "_fsx_drt_fixes", frozenset())
    if make.__qualname__ in fixes:
        return
    patched = functools.wraps(original)(make(original))
    patched._fsx_drt_fixes = fixes | {make.__qualname__}  # type: ignore[attr-defined]
    setattr(owner, name, patched)


def _fix_execute_change_set_outputs() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    _patch(CloudFormationBackend, "execute_change_set", _execute_change_set_with_outputs)


def _execute_change_set_with_outputs(original: Any) -> Callable[..., Any]:
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
        change_set = self.change_sets.get(change_set_name)
        if change_set is None:
            # CloudFormation scopes a change set's name by its stack; moto 5.2.5 takes any change
            # set of that name, another stack's too. Resolve it here and pass its ARN.
            stack_ids = {
                s.stack_id for s in self.stacks.values() if stack_name in (s.name, s.stack_id)
            }
            change_set = next(
                (
                    cs
                    for cs in reversed(list(self.change_sets.values()))
                    if cs.change_set_name == change_set_name
                    and (not stack_ids or cs.stack_id in stack_ids)
                ),
                None,
            )
            if change_set is not None:
                change_set_name = change_set.change_set_id
        result = original(self, change_set_name, stack_name)
        if change_set is not None and change_set.stack_id in self.stacks:
            stack = self.stacks[change_set.stack_id]
            stack.template_dict = change_set.template_dict
            stack.description = change_set.template_dict.get("Description")
            stack.output_map = stack._create_output_map()
            stack.parameters = dict(change_set.parameters)
            if change_set.tags:  # fix 9: a change set's Tags become the stack's
                stack.tags = dict(change_set.tags)
        return result

    return execute_change_set


NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


def _effective_parameters(template: dict[str, Any], given: dict[str, Any]) -> dict[str, str]:
    """What each template parameter resolves to: the value given, else its Default."""
    slots = template.get("Parameters") or {}
    values = {name: str(slot["Default"]) for name, slot in slots.items() if isinstance(slot, dict) and "Default" in slot}
    values.update({name: str(value) for name, value in given.items() if name in slots})
    return values


def _fix_empty_update_change_set() -> None:
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse

    _patch(CloudFormationBackend, "create_change_set", _create_change_set_empty_when_unchanged)

    def skip_for_change_sets(validate: Any) -> Callable[..., None]:
        def _validate_different_update(self: Any, *args: Any, **kwargs: Any) -> None:
            if self._get_action() == "CreateChangeSet":
                return  # an empty change set is FAILED, not refused (see create_change_set)
            validate(self, *args, **kwargs)

        return _validate_different_update

    _patch(CloudFormationResponse, "_validate_different_update", skip_for_change_sets)


def _create_change_set_empty_when_unchanged(original: Any) -> Callable[..., Any]:
    def create_change_set(self: Any, *args: Any, **kwargs: Any) -> Any:
        change_set_id, stack_id = original(self, *args, **kwargs)
        change_set = self.change_sets.get(change_set_id)
        stack = self.stacks.get(stack_id)
        if (
            change_set is not None
            and stack is not None
            and change_set.change_set_type == "UPDATE"
            and change_set.status != "FAILED"
            and stack.template
            and stack.has_template(change_set.template)
            and _effective_parameters(change_set.template_dict, change_set.parameters)
            == _effective_parameters(stack.template_dict, stack.parameters)
            and not (change_set.tags and change_set.tags != stack.tags)  # fix 9
        ):
            change_set.status = "FAILED"
            change_set.execution_status = "UNAVAILABLE"
            change_set.status_reason = NO_CHANGES
        elif (
            change_set is not None
            and stack is not None
            and change_set.status == "FAILED"
            and change_set.status_reason == NO_CHANGES
            and change_set.tags
            and change_set.tags != stack.tags
        ):
            # fix 9: only the tags change, which is a change
            change_set.status = "CREATE_COMPLETE"
            change_set.execution_status = "AVAILABLE"
            change_set.status_reason = None
        return change_set_id, stack_id

    return create_change_set


_request = threading.local()

#: The operations whose stack events carry the request's ClientRequestToken.
TOKEN_OPERATIONS = ("create_stack", "update_stack", "delete_stack", "execute_change_set")


def _fix_stack_event_client_request_token() -> None:
    from moto.cloudformation.models import Event
    from moto.cloudformation.responses import CloudFormationResponse

    def stamped(original: Any) -> Callable[..., None]:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self.client_request_token = getattr(_request, "client_request_token", None)

        return __init__

    _patch(Event, "__init__", stamped)

    def with_token(original: Any) -> Callable[..., Any]:
        def operation(self: Any) -> Any:
            _request.client_request_token = self._get_param("ClientRequestToken")
            try:
                return original(self)
            finally:
                _request.client_request_token = None

        return operation

    for name in TOKEN_OPERATIONS:
        _patch(CloudFormationResponse, name, with_token)


def _fix_termination_protection() -> None:
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def protected(original: Any) -> Callable[..., None]:
        def delete_stack(self: Any, name_or_stack_id: str) -> None:
            for stack in list(self.stacks.values()):
                if name_or_stack_id in (stack.stack_id, stack.name) and stack.enable_termination_protection:
                    raise ValidationError(
                        message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
                    )
            original(self, name_or_stack_id)

        return delete_stack

    _patch(CloudFormationBackend, "delete_stack", protected)

    def update_termination_protection(self: Any) -> Any:
        # Both members are required in the model; get_stack raises moto's ValidationError
        # "Stack with id NAME does not exist", as CloudFormation does.
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        enabled = self._get_param("EnableTerminationProtection")
        if isinstance(enabled, str):
            enabled = enabled.lower() == "true"
        if enabled is None:
            raise ValidationError(message="1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null")
        stack.enable_termination_protection = bool(enabled)
        return ActionResult({"StackId": stack.stack_id})

    CloudFormationResponse.update_termination_protection = update_termination_protection  # type: ignore[attr-defined]


def _add_event_invoke_config_resource() -> None:
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    if "AWS::Lambda::EventInvokeConfig" in parsing.get_model_map():
        return  # moto has it now: use moto's

    def put(account_id: str, region_name: str, properties: dict[str, Any]) -> str:
        backend = lambda_backends[account_id][region_name]
        function_name = properties["FunctionName"]
        config = {
            key: properties[key]
            for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
            if key in properties
        }
        for key, low, high in (("MaximumRetryAttempts", 0, 2), ("MaximumEventAgeInSeconds", 60, 21600)):
            if key in config:
                config[key] = int(config[key])
                if not low <= config[key] <= high:
                    raise ValueError(f"{key} must be from {low} to {high}, not {config[key]}")
        backend.get_function(function_name).event_invoke_config = []
        backend.put_function_event_invoke_config(function_name, config)
        return function_name

    class LambdaEventInvokeConfig(CloudFormationModel):
        # moto's model registry (BaseModel's metaclass) takes the service from the module.
        __module__ = "moto.awslambda.models"

        def __init__(self, function_name: str, qualifier: str, logical_id: str) -> None:
            self.function_name = function_name
            self.qualifier = qualifier
            self.id = f"{logical_id}-{function_name}-{qualifier}"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Lambda::EventInvokeConfig"

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""  # no name property

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False  # the resource has no Fn::GetAtt attributes

        @property
        def physical_resource_id(self) -> str:
            return self.id

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
        ) -> "LambdaEventInvokeConfig":
            properties = cloudformation_json["Properties"]
            function_name = put(account_id, region_name, properties)
            return cls(function_name, str(properties.get("Qualifier", "$LATEST")), kwargs.get("LogicalId", resource_name))

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> "LambdaEventInvokeConfig":
            properties = cloudformation_json["Properties"]
            if properties["FunctionName"] != original_resource.function_name:
                original_resource.delete(account_id, region_name)
            put(account_id, region_name, properties)
            original_resource.function_name = properties["FunctionName"]
            original_resource.qualifier = str(properties.get("Qualifier", "$LATEST"))
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
        ) -> None:
            cls(cloudformation_json["Properties"]["FunctionName"], "", "").delete(account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            try:
                lambda_backends[account_id][region_name].get_function(self.function_name).event_invoke_config = []
            except UnknownFunctionException:
                pass  # the function went first (a stack deletes in any order here): nothing left

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert parsing.get_model_map()["AWS::Lambda::EventInvokeConfig"] is LambdaEventInvokeConfig


def _fix_expected_bucket_owner() -> None:
    from urllib.parse import parse_qs, unquote, urlparse

    from moto.s3.exceptions import S3AccessDeniedError
    from moto.s3.models import s3_backends
    from moto.s3.responses import S3Response

    def check(self: Any, request: Any, full_url: str) -> None:
        query = parse_qs(urlparse(full_url).query)

        def given(name: str) -> str | None:
            return request.headers.get(name) or (query.get(name) or [None])[0]

        expected = given("x-amz-expected-bucket-owner")
        bucket = self.parse_bucket_name_from_url(request, full_url)
        if expected and bucket in s3_backends.bucket_accounts and s3_backends.bucket_accounts[bucket][1] != expected:
            raise S3AccessDeniedError()
        source_expected = given("x-amz-source-expected-bucket-owner")
        source = unquote(request.headers.get("x-amz-copy-source") or "").lstrip("/").split("/", 1)[0]
        if source_expected and source in s3_backends.bucket_accounts and s3_backends.bucket_accounts[source][1] != source_expected:
            raise S3AccessDeniedError()

    def checked(original: Any) -> Callable[..., Any]:
        def response(self: Any, request: Any, full_url: str) -> Any:
            check(self, request, full_url)  # inside moto's try: serialised as S3's XML error
            return original(self, request, full_url)

        return response

    for name in ("_bucket_response", "_key_response"):
        _patch(S3Response, name, checked)


def _fix_change_set_lifecycle() -> None:
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.models import CloudFormationBackend
    from moto.core.utils import utcnow

    # moto finds an exception's service model by the package its class lives in.
    class ChangeSetNotFound(CloudFormationError):
        __module__ = "moto.cloudformation.exceptions"
        code = "ChangeSetNotFoundException"

    class InvalidChangeSetStatus(CloudFormationError):
        __module__ = "moto.cloudformation.exceptions"
        code = "InvalidChangeSetStatusException"

    def find(backend: Any, name: str, stack_name: str | None) -> Any:
        if name in backend.change_sets:
            return backend.change_sets[name]
        stack_ids = {
            s.stack_id for s in backend.stacks.values() if stack_name in (s.name, s.stack_id)
        }
        for change_set in reversed(list(backend.change_sets.values())):
            if change_set.change_set_name == name and (not stack_ids or change_set.stack_id in stack_ids):
                return change_set
        raise ChangeSetNotFound(f"ChangeSet [{name}] does not exist")

    def described(original: Any) -> Callable[..., Any]:
        def describe_change_set(self: Any, change_set_name: str) -> Any:
            find(self, change_set_name, None)
            return original(self, change_set_name)

        return describe_change_set

    def executed(original: Any) -> Callable[..., Any]:
        def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
            change_set = find(self, change_set_name, stack_name)
            stack = self.stacks.get(change_set.stack_id)
            busy = stack is not None and stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS"
            if change_set.execution_status != "AVAILABLE" or busy:
                raise InvalidChangeSetStatus(
                    f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of "
                    f"[{change_set.execution_status if not busy else stack.status}]"
                )
            if stack is not None and stack.status != "REVIEW_IN_PROGRESS":  # an update
                stack.last_updated_time = utcnow()
            result = original(self, change_set.change_set_id, stack_name)
            for other in [
                key
                for key, cs in self.change_sets.items()
                if cs.stack_id == change_set.stack_id and cs is not change_set
            ]:
                del self.change_sets[other]
            return result

        return execute_change_set

    def updated(original: Any) -> Callable[..., Any]:
        def update_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            result = original(self, name, *args, **kwargs)
            self.get_stack(name).last_updated_time = utcnow()
            return result

        return update_stack

    _patch(CloudFormationBackend, "describe_change_set", described)
    _patch(CloudFormationBackend, "execute_change_set", executed)
    _patch(CloudFormationBackend, "update_stack", updated)

    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult, EmptyResult

    # Fix 14: a change set named with its stack is that stack's.
    def by_stack(action: str) -> Callable[[Any], Callable[..., Any]]:
        def make(original: Any) -> Callable[..., Any]:
            def handler(self: Any) -> Any:
                backend = self.cloudformation_backend
                stack_name = self._get_param("StackName")
                name = self._get_param("ChangeSetName")
                if not stack_name or not name or name in backend.change_sets:
                    return original(self)
                if not any(stack_name in (s.name, s.stack_id) for s in backend.stacks.values()):
                    return original(self)
                # The stack exists, so find looks among its change sets only.
                change_set = find(backend, name, stack_name)
                if action == "describe":
                    return ActionResult(backend.describe_change_set(change_set.change_set_id))
                backend.delete_change_set(change_set.change_set_id)
                return EmptyResult()

            return handler

        return make

    _patch(CloudFormationResponse, "describe_change_set", by_stack("describe"))
    _patch(CloudFormationResponse, "delete_change_set", by_stack("delete"))
def _answer_drift_detection_as_invalid_action() -> None:
    import uuid
    from xml.sax.saxutils import escape

    from moto.cloudformation.responses import CloudFormationResponse

    # InvalidAction is a common error, not in CloudFormation's service model, so moto's
    # serializer cannot build it: the answer is written here as CloudFormation writes errors.
    def invalid(action: str) -> Callable[[Any], Any]:
        def answer(self: Any) -> Any:
            message = escape(
                f"The action or operation requested is invalid: this emulator does not offer {action}."
            )
            body = (
                '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
                f"<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
            )
            return body, {"status": 400, "Content-Type": "text/xml"}

        return answer

    for action in (
        "DetectStackDrift",
        "DetectStackResourceDrift",
        "DescribeStackDriftDetectionStatus",
        "DescribeStackResourceDrifts",
    ):
        name = "".join("_" + c.lower() if c.isupper() else c for c in action).lstrip("_")
        if not hasattr(CloudFormationResponse, name):
            setattr(CloudFormationResponse, name, invalid(action))

def _fix_update_keeps_resources_moto_cannot_update() -> None:
    from moto.cloudformation import parsing

    def keeping(original: Any) -> Callable[..., Any]:
        def parse_and_update_resource(logical_id: str, resource_json: Any, resources_map: Any, *args: Any, **kwargs: Any) -> Any:
            updated = original(logical_id, resource_json, resources_map, *args, **kwargs)
            condition = resource_json.get("Condition")
            kept = condition is None or resources_map.lazy_condition_map[condition]
            if updated is None and kept and logical_id in resources_map._parsed_resources:
                return resources_map._parsed_resources[logical_id]
            return updated

        return parse_and_update_resource

    _patch(parsing, "parse_and_update_resource", keeping)


def _fix_update_follows_conditions() -> None:
    from moto.cloudformation.parsing import ResourceMap

    def following(original: Any) -> Callable[..., None]:
        def update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
            original(self, template, parameters)
            for name, resource_json in template["Resources"].items():
                condition = resource_json.get("Condition")
                if condition is None:
                    continue
                present = self._parsed_resources.get(name) is not None
                if self.lazy_condition_map[condition] and not present:
                    self._parsed_resources.pop(name, None)
                    _ = self[name]  # moto's way to create a resource of the map
                elif not self.lazy_condition_map[condition] and present:
                    self._delete_resource(self._parsed_resources.pop(name), resource_json)

        return update

    _patch(ResourceMap, "update", following)

    from moto.cloudformation.models import Stack

    original = Stack.stack_resources
    if not getattr(original.fget, "_fsx_drt_fixed", False):

        def existing(self: Any) -> list[Any]:
            return [r for r in original.fget(self) if r is not None]

        existing._fsx_drt_fixed = True  # type: ignore[attr-defined]
        Stack.stack_resources = property(existing)  # type: ignore[method-assign,assignment]


def _fix_lambda_environment_strings() -> None:
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.get_configuration

    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.environment_vars:
            self.environment_vars = {k: v if isinstance(v, str) else json.dumps(v) for k, v in self.environment_vars.items()}
        return original(self, *args, **kwargs)

    LambdaFunction.get_configuration = get_configuration


def _fix_list_parameters_described_as_given() -> None:
    from moto.cloudformation.models import Stack

    def as_given(values: dict[str, Any]) -> dict[str, Any]:
        return {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}

    def described(original: Any) -> Any:
        def fget(self: Any) -> Any:
            value = original.fget(self)
            if isinstance(value, dict):
                return as_given(value)
            return [{**p, "ParameterValue": as_given({"v": p["ParameterValue"]})["v"]} for p in value]

        fget._fsx_drt_fixed = True  # type: ignore[attr-defined]
        return property(fget)

    for name in ("stack_parameters", "parameter_list"):
        original = getattr(Stack, name)
        if not getattr(original.fget, "_fsx_drt_fixed", False):
            setattr(Stack, name, described(original))


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_execute_change_set_outputs()
    _fix_empty_update_change_set()
    _fix_stack_event_client_request_token()
    _add_event_invoke_config_resource()
    _fix_termination_protection()
    _fix_expected_bucket_owner()
    _fix_change_set_lifecycle()
    _answer_drift_detection_as_invalid_action()

    _fix_update_keeps_resources_moto_cannot_update()
    _fix_update_follows_conditions()
    _fix_lambda_environment_strings()
    _fix_list_parameters_described_as_given()
    _installed = True

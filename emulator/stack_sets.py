"""CloudFormation StackSets as the API reference documents them, on moto's accounts and regions.

moto 5.2.5 has StackSets, but not as CloudFormation runs them: a SELF_MANAGED instance is a
stack named ``StackSet:NAME`` (an invalid stack name), a SERVICE_MANAGED one a hidden stack no
DescribeStacks shows; UpdateStackSet changes parameters only, UpdateStackInstances touches no
stack; every operation is SUCCEEDED at once; results carry a canned AccountGate failure text.
``install()`` replaces the StackSets actions of moto's CloudFormationResponse with this model:

- Instances are real stacks ``StackSet-<stack set name>-<uuid>`` in their account and region,
  made by moto's CreateStack/UpdateStack/DeleteStack backend calls (so the emulator's other
  fixes, rollback and the stack delay apply), with the stack set's Parameters overlaid by the
  instance's ParameterOverrides and the stack set's Tags.
- Every mutating call returns an OperationId and the work runs in a thread: the operation is
  RUNNING, its instances PENDING, RUNNING, then SUCCEEDED/FAILED/CANCELLED, per account and
  region, in the order and concurrency of its OperationPreferences (RegionOrder,
  RegionConcurrencyType, MaxConcurrent*, FailureTolerance*, ConcurrencyMode). Within tolerance
  the operation SUCCEEDED although instances FAILED; beyond it in a Region, FAILED, and what
  was not started (that Region and, SEQUENTIAL, the next ones) CANCELLED.
- One operation at a time (OperationInProgressException, 409) unless ManagedExecution.Active,
  when it is QUEUED and runs after. An OperationId given twice: the same request answers the
  same id (idempotent retry), another OperationIdAlreadyExistsException (409).
- SELF_MANAGED: an account without the execution role (ExecutionRoleName, moto IAM of that
  account) fails with AWS's reason. SERVICE_MANAGED: DeploymentTargets resolved in the
  caller's organization (moto Organizations), OUs recursively, the root for every account,
  never the management account; AccountFilterType NONE/INTERSECTION/DIFFERENCE/UNION.
- ``POST /__fsx_drt_emulator/stack-set-delay {"Seconds": D}`` (or FSX_DRT_EMULATOR_STACK_SET_DELAY)
  keeps each operation RUNNING at least D seconds, its instances RUNNING batch by batch.

See emulator/README.md ("StackSets") for the rules and texts, and what is not emulated.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import threading
import time
import uuid
from typing import Any

ENV = "FSX_DRT_EMULATOR_STACK_SET_DELAY"
EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"
ADMIN_ROLE = "AWSCloudFormationStackSetAdministrationRole"
CANCELLED_REASON = "Cancelled since failure tolerance has exceeded"
STOPPED_REASON = "Cancelled since the operation was stopped by the user"

_lock = threading.RLock()
_delay_seconds = 0.0
_installed = False


def configure(seconds: float) -> None:
    global _delay_seconds
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"the stack set delay must be a number of seconds >= 0, not {seconds!r}")
    _delay_seconds = float(seconds)


def current() -> float:
    return _delay_seconds


def from_environment() -> None:
    raw = os.environ.get(ENV, "").strip()
    if raw:
        try:
            configure(float(raw))
        except ValueError:
            raise ValueError(f"{ENV} must be a number of seconds >= 0, not {raw!r}") from None


def _now() -> _dt.datetime:
    from moto.core.utils import utcnow

    return utcnow()


# ---------------------------------------------------------------------------
# Errors (moto finds an error's model, so its HTTP status, by the class's module)
# ---------------------------------------------------------------------------


def _errors() -> dict[str, type]:
    from moto.cloudformation.exceptions import CloudFormationError

    made = {}
    for code in (
        "OperationInProgressException",
        "OperationIdAlreadyExistsException",
        "StackInstanceNotFoundException",
        "StackSetNotEmptyException",
        "StackSetNotFoundException",
        "OperationNotFoundException",
        "InvalidOperationException",
        "NameAlreadyExistsException",
        "ValidationError",
    ):
        made[code] = type(code.replace("Exception", "") + "Error", (CloudFormationError,), {"code": code, "__module__": "moto.cloudformation.exceptions"})
    return made


_ERRORS: dict[str, type] = {}


def fail(code: str, message: str) -> Exception:
    if not _ERRORS:
        _ERRORS.update(_errors())
    return _ERRORS[code](message)


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


class Instance:
    def __init__(self, account: str, region: str, ou: str | None) -> None:
        self.account = account
        self.region = region
        self.ou = ou
        self.overrides: list[dict[str, str]] = []
        self.stack_id: str | None = None
        self.status = "OUTDATED"
        self.detailed = "PENDING"
        self.reason: str | None = "User Initiated"
        self.last_operation_id: str | None = None

    def summary(self, stack_set: "StackSet", full: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "StackSetId": stack_set.id,
            "Region": self.region,
            "Account": self.account,
            "Status": self.status,
            "StackInstanceStatus": {"DetailedStatus": self.detailed},
            "DriftStatus": "NOT_CHECKED",
        }
        if self.stack_id:
            out["StackId"] = self.stack_id
        if self.reason:
            out["StatusReason"] = self.reason
        if self.ou:
            out["OrganizationalUnitId"] = self.ou
        if self.last_operation_id:
            out["LastOperationId"] = self.last_operation_id
        if full:
            out["ParameterOverrides"] = self.overrides
        return out


class Operation:
    def __init__(self, op_id: str, action: str, prefs: dict[str, Any], fingerprint: str) -> None:
        self.id = op_id
        self.action = action
        self.prefs = prefs
        self.fingerprint = fingerprint
        self.status = "QUEUED"
        self.created = _now()
        self.ended: _dt.datetime | None = None
        self.retain: bool | None = None
        self.deployment_targets: dict[str, Any] | None = None
        self.targets: list[tuple[str, str, str | None]] = []  # account, region, OU
        self.results: dict[tuple[str, str], dict[str, Any]] = {}
        self.stop = False
        self.work: Any = None  # (stack_set, instance) -> reason or None

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "OperationId": self.id,
            "Action": self.action,
            "Status": self.status,
            "CreationTimestamp": self.created,
            "OperationPreferences": self.prefs,
            "StatusDetails": {"FailedStackInstancesCount": sum(1 for r in self.results.values() if r["Status"] == "FAILED")},
        }
        if self.ended:
            out["EndTimestamp"] = self.ended
        return out


class StackSet:
    def __init__(self, account: str, region: str, name: str, request: dict[str, Any]) -> None:
        from moto.utilities.utils import get_partition

        self.account = account
        self.region = region
        self.partition = get_partition(region)
        self.name = name
        self.id = f"{name}:{uuid.uuid4()}"
        self.arn = f"arn:{self.partition}:cloudformation:{region}:{account}:stackset/{self.id}"
        self.template = request["TemplateBody"]
        self.parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in request.get("Parameters") or []}
        self.description = request.get("Description")
        self.tags = {t["Key"]: t["Value"] for t in request.get("Tags") or []}
        self.capabilities = request.get("Capabilities") or []
        self.permission_model = request.get("PermissionModel") or "SELF_MANAGED"
        self.admin_role = request.get("AdministrationRoleARN") or f"arn:{self.partition}:iam::{account}:role/{ADMIN_ROLE}"
        self.execution_role = request.get("ExecutionRoleName") or EXECUTION_ROLE
        self.auto_deployment = request.get("AutoDeployment")
        self.managed = bool((request.get("ManagedExecution") or {}).get("Active"))
        self.status = "ACTIVE"
        self.instances: dict[tuple[str, str], Instance] = {}
        self.operations: list[Operation] = []

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "StackSetName": self.name,
            "StackSetId": self.id,
            "Status": self.status,
            "TemplateBody": self.template,
            # dicts: moto's RESPONSE_KEY_PATH_TO_TRANSFORMER turns them into the lists
            "Parameters": dict(self.parameters),
            "Capabilities": self.capabilities,
            "Tags": dict(self.tags),
            "StackSetARN": self.arn,
            "AdministrationRoleARN": self.admin_role,
            "ExecutionRoleName": self.execution_role,
            "PermissionModel": self.permission_model,
            "ManagedExecution": {"Active": self.managed},
            "Regions": sorted({r for _, r in self.instances}),
        }
        if self.description is not None:
            out["Description"] = self.description
        if self.auto_deployment:
            out["AutoDeployment"] = self.auto_deployment
        if self.permission_model == "SERVICE_MANAGED":
            out["OrganizationalUnitIds"] = sorted({i.ou for i in self.instances.values() if i.ou})
            out.pop("AdministrationRoleARN")
            out.pop("ExecutionRoleName")
        return out

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in self.describe().items() if k in ("StackSetName", "StackSetId", "Description", "Status", "AutoDeployment", "PermissionModel", "ManagedExecution")}
        out["DriftStatus"] = "NOT_CHECKED"
        return out

    def busy(self) -> bool:
        return any(op.status in ("QUEUED", "RUNNING", "STOPPING") for op in self.operations)

    def operation(self, op_id: str) -> Operation:
        for op in self.operations:
            if op.id == op_id:
                return op
        raise fail("OperationNotFoundException", f"Operation {op_id} not found")


# (account, region) of the administrator -> name -> StackSet
_sets: dict[tuple[str, str], dict[str, StackSet]] = {}


def find(account: str, region: str, name_or_id: str) -> StackSet:
    for stack_set in _sets.get((account, region), {}).values():
        if name_or_id in (stack_set.name, stack_set.id) and stack_set.status == "ACTIVE":
            return stack_set
    raise fail("StackSetNotFoundException", f"StackSet {name_or_id} not found")


# ---------------------------------------------------------------------------
# Requests: validation (before anything is made), targets
# ---------------------------------------------------------------------------


def preferences(raw: dict[str, Any] | None) -> dict[str, Any]:
    """OperationPreferences as the model allows them (ValidationError otherwise)."""
    prefs = dict(raw or {})
    problems = []
    for key, low, high in (
        ("FailureToleranceCount", 0, None),
        ("FailureTolerancePercentage", 0, 100),
        ("MaxConcurrentCount", 1, None),
        ("MaxConcurrentPercentage", 1, 100),
    ):
        if key in prefs:
            prefs[key] = int(prefs[key])
            field = "operationPreferences." + key[0].lower() + key[1:]
            if prefs[key] < low:
                problems.append(f"Value '{prefs[key]}' at '{field}' failed to satisfy constraint: Member must have value greater than or equal to {low}")
            elif high is not None and prefs[key] > high:
                problems.append(f"Value '{prefs[key]}' at '{field}' failed to satisfy constraint: Member must have value less than or equal to {high}")
    for key, allowed in (
        ("RegionConcurrencyType", ("SEQUENTIAL", "PARALLEL")),
        ("ConcurrencyMode", ("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE")),
    ):
        if key in prefs and prefs[key] not in allowed:
            field = "operationPreferences." + key[0].lower() + key[1:]
            problems.append(f"Value '{prefs[key]}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")
    if problems:
        count = len(problems)
        raise fail("ValidationError", f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems))
    for a, b in (("FailureToleranceCount", "FailureTolerancePercentage"), ("MaxConcurrentCount", "MaxConcurrentPercentage")):
        if a in prefs and b in prefs:
            raise fail("ValidationError", f"You can specify either {a} or {b}, but not both.")
    return prefs


def _organization(stack_set: StackSet) -> Any:
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[stack_set.account][stack_set.partition]
    return backend if backend.org is not None else None


def _under(org: Any, parent: str, target: str) -> bool:
    """Whether OU or account parent `parent` lies under `target` (itself included)."""
    parents = {ou.id: ou.parent_id for ou in org.ou}
    seen = set()
    while parent and parent not in seen:
        if parent == target:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def organization_targets(stack_set: StackSet, targets: dict[str, Any], action: str) -> list[tuple[str, str | None]]:
    """(account, OU) a SERVICE_MANAGED operation's DeploymentTargets name, as DeploymentTargets
    documents: OUs and their child OUs (the root: every account), never the management account."""
    ous = targets.get("OrganizationalUnitIds") or []
    accounts = targets.get("Accounts") or []
    if not ous:
        raise fail("ValidationError", "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
    kind = targets.get("AccountFilterType") or ("UNION" if accounts else "NONE")
    if kind not in ("NONE", "INTERSECTION", "DIFFERENCE", "UNION"):
        raise fail("ValidationError", f"1 validation error detected: Value '{kind}' at 'deploymentTargets.accountFilterType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, INTERSECTION, DIFFERENCE, UNION]")
    if kind == "UNION" and action == "CreateStackInstances":
        raise fail("ValidationError", "AccountFilterType UNION is not supported for CreateStackInstances operations.")
    if kind != "NONE" and not accounts:
        raise fail("ValidationError", f"Accounts must be provided when AccountFilterType is {kind}")
    org = _organization(stack_set)
    members: dict[str, str | None] = {}
    for ou in ous:
        for account in org.accounts:
            if account.id != org.org.master_account_id and account.status == "ACTIVE" and _under(org, account.parent_id, ou):
                members.setdefault(account.id, ou)
    if kind == "INTERSECTION":
        members = {a: ou for a, ou in members.items() if a in accounts}
    elif kind == "DIFFERENCE":
        members = {a: ou for a, ou in members.items() if a not in accounts}
    elif kind == "UNION":
        for account in accounts:
            members.setdefault(account, None)
    return list(members.items())


def target_accounts(stack_set: StackSet, request: dict[str, Any], action: str) -> list[tuple[str, str | None]] | None:
    """(account, OU) of Accounts/DeploymentTargets; None when the request names neither."""
    accounts = request.get("Accounts") or []
    targets = request.get("DeploymentTargets") or {}
    if accounts and targets:
        raise fail("ValidationError", "You can specify Accounts or DeploymentTargets, but not both.")
    if stack_set.permission_model == "SERVICE_MANAGED":
        if accounts:
            raise fail("ValidationError", "StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
        return organization_targets(stack_set, targets, action) if targets else None
    if targets.get("OrganizationalUnitIds"):
        raise fail("ValidationError", "StackSets with SELF_MANAGED permission model can only have accounts as target")
    chosen = accounts or targets.get("Accounts") or []
    return [(a, None) for a in chosen] if chosen else None


def fingerprint(request: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in request.items() if k not in ("OperationId", "Action", "Version")}, sort_keys=True, default=str)


def submit(stack_set: StackSet, op: Operation) -> str:
    """Queues or starts op; OperationIdAlreadyExists/OperationInProgress as CloudFormation answers."""
    with _lock:
        for other in stack_set.operations:
            if other.id == op.id:
                if other.action == op.action and other.fingerprint == op.fingerprint:
                    return other.id  # a retry of the same request: its operation
                raise fail("OperationIdAlreadyExistsException", f"The operation id {op.id} already exists")
        if stack_set.busy() and not stack_set.managed:
            running = next(o for o in stack_set.operations if o.status in ("QUEUED", "RUNNING", "STOPPING"))
            raise fail("OperationInProgressException", f"Another Operation on StackSet {stack_set.arn} is in progress: {running.id}")
        stack_set.operations.append(op)
        for account, region, ou in op.targets:
            op.results[(account, region)] = {"Account": account, "Region": region, "Status": "PENDING", **({"OrganizationalUnitId": ou} if ou else {})}
        if op.action == "CREATE":
            for account, region, ou in op.targets:
                if (account, region) not in stack_set.instances:
                    stack_set.instances[(account, region)] = Instance(account, region, ou)
        if not any(o.status in ("RUNNING", "STOPPING") for o in stack_set.operations if o is not op):
            _start(stack_set, op)
        return op.id


def _start(stack_set: StackSet, op: Operation) -> None:
    op.status = "RUNNING"
    for account, region, _ in op.targets:
        instance = stack_set.instances.get((account, region))
        if instance is not None:
            instance.detailed = "PENDING"
            instance.last_operation_id = op.id
    threading.Thread(target=_run, args=(stack_set, op), name=f"stack-set-op-{op.id}", daemon=True).start()


# ---------------------------------------------------------------------------
# Running an operation
# ---------------------------------------------------------------------------


def _limits(prefs: dict[str, Any], accounts: int) -> tuple[int, int]:
    """(failure tolerance, max concurrency) in a Region of `accounts` accounts, as documented:
    percentages round down, a concurrency rounded down to 0 is 1; defaults 0 and 1."""
    if "FailureTolerancePercentage" in prefs:
        tolerance = prefs["FailureTolerancePercentage"] * accounts // 100
    else:
        tolerance = prefs.get("FailureToleranceCount", 0)
    if "MaxConcurrentPercentage" in prefs:
        concurrency = max(1, prefs["MaxConcurrentPercentage"] * accounts // 100)
    else:
        concurrency = prefs.get("MaxConcurrentCount", 1)
    return tolerance, concurrency


def _regions(op: Operation) -> list[str]:
    given = list(dict.fromkeys(r for _, r, _ in op.targets))
    order = [r for r in op.prefs.get("RegionOrder") or [] if r in given]
    return order + [r for r in given if r not in order]


def _finish(stack_set: StackSet, op: Operation, account: str, region: str, status: str, reason: str | None) -> None:
    with _lock:
        result = op.results[(account, region)]
        result["Status"] = status
        if reason:
            result["StatusReason"] = reason
        instance = stack_set.instances.get((account, region))
        if instance is None:
            return
        if op.action == "DELETE":
            if status == "SUCCEEDED":
                del stack_set.instances[(account, region)]
                return
            if status == "FAILED":
                instance.status, instance.detailed, instance.reason = "INOPERABLE", "INOPERABLE", reason
                return
            instance.detailed, instance.reason = status, reason
            return
        if status == "SUCCEEDED":
            instance.status, instance.detailed, instance.reason = "CURRENT", "SUCCEEDED", None
        else:
            instance.status, instance.detailed, instance.reason = "OUTDATED", status, reason


def _run_region(stack_set: StackSet, op: Operation, region: str, hold: float, cancelled: threading.Event) -> bool:
    """Runs op in one Region batch by batch; False when it failed beyond tolerance there."""
    accounts = [a for a, r, _ in op.targets if r == region]
    tolerance, concurrency = _limits(op.prefs, len(accounts))
    strict = op.prefs.get("ConcurrencyMode", "STRICT_FAILURE_TOLERANCE") == "STRICT_FAILURE_TOLERANCE"
    failed = 0
    pending = list(accounts)
    while pending:
        if op.stop:  # StopStackSetOperation: the operation ends STOPPED whatever this returns
            for account in pending:
                _finish(stack_set, op, account, region, "CANCELLED", STOPPED_REASON)
            return True
        if cancelled.is_set():  # an earlier Region failed beyond tolerance
            for account in pending:
                _finish(stack_set, op, account, region, "CANCELLED", CANCELLED_REASON)
            return False
        size = concurrency if not strict else max(1, min(concurrency, tolerance + 1 - failed))
        batch, pending = pending[:size], pending[size:]
        started = time.monotonic()
        with _lock:
            for account in batch:
                op.results[(account, region)]["Status"] = "RUNNING"
                instance = stack_set.instances.get((account, region))
                if instance is not None:
                    instance.detailed = "RUNNING"
        reasons: dict[str, str | None] = {}

        def one(account: str) -> None:
            instance = stack_set.instances.get((account, region))
            try:
                reasons[account] = op.work(stack_set, instance) if instance is not None else None
            except Exception as error:  # noqa: BLE001 - any failure is the instance's
                reasons[account] = str(error) or type(error).__name__

        workers = [threading.Thread(target=one, args=(a,)) for a in batch]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        time.sleep(max(0.0, started + hold - time.monotonic()))
        for account in batch:
            reason = reasons.get(account)
            failed += reason is not None
            _finish(stack_set, op, account, region, "FAILED" if reason else "SUCCEEDED", reason)
        if failed > tolerance:
            for account in pending:
                _finish(stack_set, op, account, region, "CANCELLED", CANCELLED_REASON)
            return False
    return True


def _run(stack_set: StackSet, op: Operation) -> None:
    regions = _regions(op)
    batches = 0
    for region in regions:
        count = sum(1 for _, r, _ in op.targets if r == region)
        batches += math.ceil(count / max(1, _limits(op.prefs, count)[1])) if count else 0
    hold = _delay_seconds / max(1, batches)
    started = time.monotonic()
    cancelled = threading.Event()
    ok: dict[str, bool] = {}
    try:
        if op.prefs.get("RegionConcurrencyType") == "PARALLEL":
            workers = [threading.Thread(target=lambda r=r: ok.__setitem__(r, _run_region(stack_set, op, r, hold, threading.Event()))) for r in regions]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        else:
            for region in regions:
                ok[region] = _run_region(stack_set, op, region, hold, cancelled)
                if not ok[region]:
                    cancelled.set()  # "CloudFormation cancels the operation in any remaining Regions"
        time.sleep(max(0.0, started + _delay_seconds - time.monotonic()))
    finally:
        with _lock:
            if op.stop:
                op.status = "STOPPED"
            elif all(ok.get(r, False) for r in regions):
                op.status = "SUCCEEDED"
            else:
                op.status = "FAILED"  # no StatusReason: AWS documents none for it
            op.ended = _now()
            queued = next((o for o in stack_set.operations if o.status == "QUEUED"), None)
            if queued is not None:
                _start(stack_set, queued)


# ---------------------------------------------------------------------------
# The work per instance: None when it succeeded, else the reason it failed
# ---------------------------------------------------------------------------


def _wait(stack: Any) -> str:
    deadline = time.monotonic() + 900
    while stack.status.endswith("_IN_PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.05)
    return stack.status


def _stack_failure(stack: Any) -> str:
    """The reason StackSets gives for an instance whose stack failed: its failed resource."""
    for event in stack.events:
        if event.resource_status.endswith("_FAILED") and event.logical_resource_id != stack.name:
            return (
                f"ResourceLogicalId:{event.logical_resource_id}, ResourceType:{event.resource_type}, "
                f"ResourceStatusReason:{event.resource_status_reason}."
            )
    return f"Stack {stack.name} ended {stack.status}"


def _missing_execution_role(stack_set: StackSet, account: str) -> str | None:
    if stack_set.permission_model != "SELF_MANAGED":
        return None  # service-managed: StackSets' service-linked roles, made by trusted access
    from moto.iam.models import iam_backends

    roles = iam_backends[account][stack_set.partition].roles.values()
    if any(role.name == stack_set.execution_role for role in roles):
        return None
    admin = stack_set.admin_role.rsplit("/", 1)[-1]
    return f"Account {account} should have '{stack_set.execution_role}' role with trust relationship to Role '{admin}'."


def _live_stack(instance: Instance) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    if instance.stack_id is None:
        return None
    return cloudformation_backends[instance.account][instance.region].stacks.get(instance.stack_id)


def deploy(stack_set: StackSet, instance: Instance) -> str | None:
    from moto.cloudformation.models import cloudformation_backends

    missing = _missing_execution_role(stack_set, instance.account)
    if missing:
        return missing
    backend = cloudformation_backends[instance.account][instance.region]
    values = dict(stack_set.parameters)
    values.update({p["ParameterKey"]: p["ParameterValue"] for p in instance.overrides})
    stack = _live_stack(instance)
    if stack is not None and stack.status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED"):
        backend.delete_stack(stack.stack_id)  # a stack that never got made is made anew
        _wait(stack)
        stack = None
    if stack is None:
        stack = backend.create_stack(
            name=f"StackSet-{stack_set.name}-{uuid.uuid4()}", template=stack_set.template, parameters=values, tags=dict(stack_set.tags)
        )
        instance.stack_id = stack.stack_id
        good = "CREATE_COMPLETE"
    else:
        backend.update_stack(
            stack.stack_id, stack_set.template, None, [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()], dict(stack_set.tags)
        )
        good = "UPDATE_COMPLETE"
    return None if _wait(stack) == good else _stack_failure(stack)


def delete(retain: bool) -> Any:
    def work(stack_set: StackSet, instance: Instance) -> str | None:
        from moto.cloudformation.models import cloudformation_backends

        stack = _live_stack(instance)
        if retain or stack is None:
            return None  # RetainStacks: the stack stays, only the instance goes
        missing = _missing_execution_role(stack_set, instance.account)
        if missing:
            return missing
        cloudformation_backends[instance.account][instance.region].delete_stack(stack.stack_id)
        status = _wait(stack)
        return None if status == "DELETE_COMPLETE" else _stack_failure(stack)

    return work


# ---------------------------------------------------------------------------
# The API: moto's CloudFormationResponse actions replaced
# ---------------------------------------------------------------------------


def _request(response: Any) -> dict[str, Any]:
    return dict(response._get_params())


def _overrides(old: list[dict[str, str]], given: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """ParameterOverrides as documented: absent keeps all, UsePreviousValue keeps one, a
    parameter left out of a given list goes back to the stack set's value."""
    if not given:
        return old
    previous = {p["ParameterKey"]: p["ParameterValue"] for p in old}
    out = []
    for p in given:
        if str(p.get("UsePreviousValue", "")).lower() == "true":
            if p["ParameterKey"] in previous:
                out.append({"ParameterKey": p["ParameterKey"], "ParameterValue": previous[p["ParameterKey"]]})
        else:
            out.append({"ParameterKey": p["ParameterKey"], "ParameterValue": p.get("ParameterValue", "")})
    return out


def _existing_targets(stack_set: StackSet, request: dict[str, Any], action: str) -> list[tuple[str, str, str | None]]:
    """The instances an update or delete names (StackInstanceNotFound for an update of one that
    does not exist; a delete skips them)."""
    named = target_accounts(stack_set, request, action)
    regions = request.get("Regions") or []
    if named is None:
        raise fail("ValidationError", "Either Accounts or DeploymentTargets must be specified")
    out = []
    for region in regions:
        for account, ou in named:
            instance = stack_set.instances.get((account, region))
            if instance is None:
                if action == "DeleteStackInstances" or ou is not None:
                    continue
                raise fail("StackInstanceNotFoundException", f"Stack instance in account {account} and region {region} not found in StackSet {stack_set.name}")
            out.append((account, region, instance.ou or ou))
    return out


def create_stack_set(self: Any) -> Any:
    import re

    from moto.cloudformation.utils import get_stack_from_s3_url
    from moto.core.responses import ActionResult

    request = _request(self)
    name = request.get("StackSetName") or ""
    if not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]*", name) or len(name) > 128:
        raise fail("ValidationError", f"1 validation error detected: Value '{name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
    if request.get("TemplateURL"):
        request["TemplateBody"] = get_stack_from_s3_url(request["TemplateURL"], account_id=self.current_account, partition=self.partition)
    if not request.get("TemplateBody"):
        raise fail("ValidationError", "Either TemplateBody or TemplateURL must be specified")
    with _lock:
        sets = _sets.setdefault((self.current_account, self.region), {})
        if name in sets and sets[name].status == "ACTIVE":
            raise fail("NameAlreadyExistsException", f"StackSet {name} already exists")
        stack_set = StackSet(self.current_account, self.region, name, request)
        if stack_set.permission_model == "SERVICE_MANAGED" and _organization(stack_set) is None:
            raise fail("ValidationError", "You must enable organizations access to operate a service managed stack set")
        sets[name] = stack_set
    return ActionResult({"StackSetId": stack_set.id})


def describe_stack_set(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult({"StackSet": find(self.current_account, self.region, self._get_param("StackSetName")).describe()})


def list_stack_sets(self: Any) -> Any:
    from moto.core.responses import ActionResult

    wanted = self._get_param("Status")
    sets = _sets.get((self.current_account, self.region), {}).values()
    return ActionResult({"Summaries": [s.summary() for s in sets if wanted in (None, s.status)]})


def delete_stack_set(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    with _lock:
        try:
            stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
        except Exception:  # noqa: BLE001 - DeleteStackSet models no StackSetNotFound: nothing to do
            return EmptyResult()
        if stack_set.busy():
            raise fail("OperationInProgressException", f"Another Operation on StackSet {stack_set.arn} is in progress")
        if stack_set.instances:
            raise fail("StackSetNotEmptyException", "StackSet is not empty")
        stack_set.status = "DELETED"
    return EmptyResult()


def _operation(request: dict[str, Any], action: str) -> Operation:
    op_id = request.get("OperationId") or str(uuid.uuid4())
    return Operation(op_id, action, preferences(request.get("OperationPreferences")), fingerprint(request))


def _instances_operation(response: Any, action: str) -> Any:
    """CreateStackInstances (action CREATE) or UpdateStackInstances (UPDATE): each instance gets
    the request's ParameterOverrides, then its stack is made or updated."""
    from moto.core.responses import ActionResult

    request = _request(response)
    stack_set = find(response.current_account, response.region, request.get("StackSetName"))
    op = _operation(request, action)
    if action == "CREATE":
        named = target_accounts(stack_set, request, "CreateStackInstances")
        if named is None:
            raise fail("ValidationError", "Either Accounts or DeploymentTargets must be specified")
        op.targets = [(a, r, ou) for r in request.get("Regions") or [] for a, ou in named]
    else:
        op.targets = _existing_targets(stack_set, request, "UpdateStackInstances")
    op.deployment_targets = request.get("DeploymentTargets")
    overrides = request.get("ParameterOverrides")

    def work(stack_set: StackSet, instance: Instance) -> str | None:
        instance.overrides = _overrides(instance.overrides, overrides)
        return deploy(stack_set, instance)

    op.work = work
    return ActionResult({"OperationId": submit(stack_set, op)})


def create_stack_instances(self: Any) -> Any:
    return _instances_operation(self, "CREATE")


def update_stack_instances(self: Any) -> Any:
    return _instances_operation(self, "UPDATE")


def update_stack_set(self: Any) -> Any:
    from moto.cloudformation.utils import get_stack_from_s3_url
    from moto.core.responses import ActionResult

    request = _request(self)
    stack_set = find(self.current_account, self.region, request.get("StackSetName"))
    op = _operation(request, "UPDATE")
    if request.get("TemplateURL"):
        request["TemplateBody"] = get_stack_from_s3_url(request["TemplateURL"], account_id=self.current_account, partition=self.partition)
    if (request.get("Accounts") or request.get("DeploymentTargets")) and request.get("Regions"):
        op.targets = _existing_targets(stack_set, request, "UpdateStackSet")
    elif request.get("Accounts") or request.get("DeploymentTargets") or request.get("Regions"):
        raise fail("ValidationError", "If you specify accounts or deployment targets, you must also specify Regions, and the other way round.")
    else:
        op.targets = [(a, r, i.ou) for (a, r), i in stack_set.instances.items()]
    if "ManagedExecution" in request and stack_set.busy():
        raise fail("InvalidOperationException", "You can't modify your StackSet's execution configuration while there are running or queued operations for that StackSet.")
    with _lock:
        if stack_set.busy() and not stack_set.managed:
            submit(stack_set, op)  # raises OperationInProgress (or answers a retry)
        changed = bool(request.get("TemplateBody") or request.get("Parameters"))
        if request.get("TemplateBody"):
            stack_set.template = request["TemplateBody"]
        if request.get("Parameters"):
            old = stack_set.parameters
            stack_set.parameters = {
                p["ParameterKey"]: old.get(p["ParameterKey"], "") if str(p.get("UsePreviousValue", "")).lower() == "true" else p.get("ParameterValue", "")
                for p in request["Parameters"]
            }
        for key, attr in (("Description", "description"), ("AdministrationRoleARN", "admin_role"), ("ExecutionRoleName", "execution_role"), ("AutoDeployment", "auto_deployment")):
            if request.get(key) is not None:
                setattr(stack_set, attr, request[key])
        if request.get("Tags") is not None:
            stack_set.tags = {t["Key"]: t["Value"] for t in request["Tags"]}
        if request.get("Capabilities"):
            stack_set.capabilities = request["Capabilities"]
        if "ManagedExecution" in request:
            stack_set.managed = str((request["ManagedExecution"] or {}).get("Active", "")).lower() == "true"
        if changed:  # "CloudFormation marks all stack instances with a status of OUTDATED"
            for instance in stack_set.instances.values():
                instance.status = "OUTDATED"
        op.work = deploy
        return ActionResult({"OperationId": submit(stack_set, op)})


def delete_stack_instances(self: Any) -> Any:
    from moto.core.responses import ActionResult

    request = _request(self)
    stack_set = find(self.current_account, self.region, request.get("StackSetName"))
    if request.get("RetainStacks") is None:
        raise fail("ValidationError", "1 validation error detected: Value null at 'retainStacks' failed to satisfy constraint: Member must not be null")
    retain = str(request["RetainStacks"]).lower() == "true"
    op = _operation(request, "DELETE")
    op.targets = _existing_targets(stack_set, request, "DeleteStackInstances")
    op.retain = retain
    op.deployment_targets = request.get("DeploymentTargets")
    op.work = delete(retain)
    return ActionResult({"OperationId": submit(stack_set, op)})


def _instance(self: Any) -> tuple[StackSet, Instance]:
    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    account, region = self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
    instance = stack_set.instances.get((account, region))
    if instance is None:
        raise fail("StackInstanceNotFoundException", f"Stack instance in account {account} and region {region} not found in StackSet {stack_set.name}")
    return stack_set, instance


def describe_stack_instance(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_set, instance = _instance(self)
    return ActionResult({"StackInstance": instance.summary(stack_set, full=True)})


def list_stack_instances(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    account, region = self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
    filters = {f["Name"]: f["Values"] for f in self._get_param("Filters") or []}
    out = []
    for instance in list(stack_set.instances.values()):
        if account not in (None, instance.account) or region not in (None, instance.region):
            continue
        if filters.get("DETAILED_STATUS") not in (None, instance.detailed):
            continue
        if filters.get("LAST_OPERATION_ID") not in (None, instance.last_operation_id):
            continue
        out.append(instance.summary(stack_set))
    return ActionResult({"Summaries": out})


def describe_stack_set_operation(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    op = stack_set.operation(self._get_param("OperationId"))
    out = op.summary()
    out["StackSetId"] = stack_set.id
    if stack_set.permission_model == "SELF_MANAGED":
        out["AdministrationRoleARN"] = stack_set.admin_role
        out["ExecutionRoleName"] = stack_set.execution_role
    if op.retain is not None:
        out["RetainStacks"] = op.retain
    if op.deployment_targets:
        out["DeploymentTargets"] = op.deployment_targets
    return ActionResult({"StackSetOperation": out})


def list_stack_set_operations(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    return ActionResult({"Summaries": [op.summary() for op in reversed(stack_set.operations)]})


def list_stack_set_operation_results(self: Any) -> Any:
    from moto.core.responses import ActionResult

    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    op = stack_set.operation(self._get_param("OperationId"))
    out = []
    for result in list(op.results.values()):
        gate = f"arn:{stack_set.partition}:lambda:{result['Region']}:{result['Account']}:function:AWSCloudFormationStackSetAccountGate"
        out.append({**result, "AccountGateResult": {"Status": "SKIPPED", "StatusReason": f"Function not found: {gate}"}})
    return ActionResult({"Summaries": out})


def stop_stack_set_operation(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    stack_set = find(self.current_account, self.region, self._get_param("StackSetName"))
    with _lock:
        op = stack_set.operation(self._get_param("OperationId"))
        if op.status == "QUEUED":
            op.status, op.ended = "STOPPED", _now()
            for key, result in op.results.items():
                result["Status"] = "CANCELLED"
        elif op.status == "RUNNING":
            op.stop, op.status = True, "STOPPING"
        elif op.status != "STOPPING":
            raise fail("InvalidOperationException", f"Operation {op.id} has already ended ({op.status}) and cannot be stopped")
    return EmptyResult()


ACTIONS = (
    create_stack_set,
    describe_stack_set,
    list_stack_sets,
    delete_stack_set,
    update_stack_set,
    create_stack_instances,
    update_stack_instances,
    delete_stack_instances,
    describe_stack_instance,
    list_stack_instances,
    describe_stack_set_operation,
    list_stack_set_operations,
    list_stack_set_operation_results,
    stop_stack_set_operation,
)


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.cloudformation.responses import CloudFormationResponse

    for action in ACTIONS:
        setattr(CloudFormationResponse, action.__name__, action)
    _installed = True

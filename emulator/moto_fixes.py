"""Fixes for moto bugs that fsx-drt's local runs would otherwise hit.

Installed by emulator/server.py next to fsx_drt_moto.install(). Each fix wraps
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
"""

from __future__ import annotations

import functools
from typing import Any

_installed = False


def _fix_execute_change_set_outputs() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set
    if getattr(original, "_fsx_drt_fixed", False):
        return

    @functools.wraps(original)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
        change_set = self.change_sets.get(change_set_name)
        if change_set is None:
            change_set = next(
                (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name),
                None,
            )
        result = original(self, change_set_name, stack_name)
        if change_set is not None and change_set.stack_id in self.stacks:
            stack = self.stacks[change_set.stack_id]
            stack.template_dict = change_set.template_dict
            stack.description = change_set.template_dict.get("Description")
            stack.output_map = stack._create_output_map()
            stack.parameters = dict(change_set.parameters)
        return result

    execute_change_set._fsx_drt_fixed = True  # type: ignore[attr-defined]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


def _effective_parameters(template: dict[str, Any], given: dict[str, Any]) -> dict[str, str]:
    """What each template parameter resolves to: the value given, else its Default."""
    slots = template.get("Parameters") or {}
    values = {name: str(slot["Default"]) for name, slot in slots.items() if isinstance(slot, dict) and "Default" in slot}
    values.update({name: str(value) for name, value in given.items() if name in slots})
    return values


def _fix_empty_update_change_set() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.create_change_set
    if getattr(original, "_fsx_drt_fixed", False):
        return

    @functools.wraps(original)
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
        ):
            change_set.status = "FAILED"
            change_set.execution_status = "UNAVAILABLE"
            change_set.status_reason = NO_CHANGES
        return change_set_id, stack_id

    create_change_set._fsx_drt_fixed = True  # type: ignore[attr-defined]
    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]

    from moto.cloudformation.responses import CloudFormationResponse

    validate = CloudFormationResponse._validate_different_update

    @functools.wraps(validate)
    def _validate_different_update(self: Any, *args: Any, **kwargs: Any) -> None:
        if self._get_action() == "CreateChangeSet":
            return  # an empty change set is FAILED, not refused (see create_change_set above)
        validate(self, *args, **kwargs)

    CloudFormationResponse._validate_different_update = _validate_different_update  # type: ignore[method-assign]


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_execute_change_set_outputs()
    _fix_empty_update_change_set()
    _installed = True

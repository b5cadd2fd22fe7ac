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
        return result

    execute_change_set._fsx_drt_fixed = True  # type: ignore[attr-defined]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_execute_change_set_outputs()
    _installed = True

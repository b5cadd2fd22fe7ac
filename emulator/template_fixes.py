"""Template features moto's CloudFormation gets wrong, fixed as CloudFormation documents them.

Installed by emulator/server.py. Found with the AWS sample "FSx for Lustre Data Repository
Task Scheduler" (tests/data/reference-template.yaml), whose CreateStack moto 5.2.5 answered
with HTTP 500.

1. Fn::FindInMap. moto 5.2.5 keeps a template's Mappings in the same dictionary as its
   parameters, resources and pseudo parameters (``ResourceMap._parsed_resources``), with the
   parameters loaded last, so a mapping named as a parameter or resource (the sample's
   ``TaskType`` is both) is shadowed and ``clean_json`` indexes the parameter's string value:
   "TypeError: string indices must be integers". In CloudFormation mappings have their own
   namespace. The fix reads ``[MapName, TopLevelKey, SecondLevelKey]`` from the template's
   Mappings, each argument resolved first (a string, or an intrinsic such as ``Ref`` to a
   parameter or pseudo parameter, or a nested Fn::FindInMap). A mapping that does not exist
   fails with ValidationError "Template error: Mapping named 'NAME' is not present in the
   'Mappings' section of template.", a key that does not exist with ValidationError
   "Template error: Unable to get mapping for NAME::TOP::SECOND" (CloudFormation's texts; it
   refuses the CreateStack, UpdateStack or CreateChangeSet request, and no stack is left
   behind by a refused CreateStack). Mappings brought in by an ``AWS::Include`` transform
   (moto's ``transform_mapping``) are still found.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

_installed = False


def _mapping_error(message: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    error = ValidationError(message=f"Template error: {message}")
    error.fsx_drt_template_error = True  # type: ignore[attr-defined]
    return error


def _find_in_map(node: Any, resources_map: Any, clean_json: Callable[[Any, Any], Any]) -> Any:
    args = node["Fn::FindInMap"]
    if not isinstance(args, list) or len(args) != 3:
        raise _mapping_error("Fn::FindInMap requires exactly three arguments.")
    name, top, second = (clean_json(arg, resources_map) for arg in args)
    mappings = resources_map._template.get("Mappings") or {}
    mapping = mappings.get(name) if isinstance(name, str) else None
    if not isinstance(mapping, dict):
        raise _mapping_error(f"Mapping named '{name}' is not present in the 'Mappings' section of template.")
    if "Fn::Transform" in mapping:  # AWS::Include: moto's transform_mapping loaded the rows as top-level names
        mapping = {top: resources_map._parsed_resources.get(top)} if isinstance(top, str) else {}
    row = mapping.get(top) if isinstance(top, str) else None
    value = row.get(second) if isinstance(row, dict) and isinstance(second, str) else None
    if value is None:
        raise _mapping_error(f"Unable to get mapping for {name}::{top}::{second}")
    return value


def _fix_find_in_map() -> None:
    from moto.cloudformation import parsing

    original = parsing.clean_json
    if getattr(original, "_fsx_drt_fixed", False):
        return

    @functools.wraps(original)
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        # moto's clean_json recurses through the module's global name, i.e. through this function.
        if isinstance(resource_json, dict) and "Fn::FindInMap" in resource_json and "Ref" not in resource_json:
            return _find_in_map(resource_json, resources_map, clean_json)
        return original(resource_json, resources_map)

    clean_json._fsx_drt_fixed = True  # type: ignore[attr-defined]
    parsing.clean_json = clean_json


def _fix_refused_create_stack() -> None:
    """A CreateStack refused for its template leaves no stack (moto registers it before creating)."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.create_stack
    if getattr(original, "_fsx_drt_fixed", False):
        return

    @functools.wraps(original)
    def create_stack(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        known = set(self.stacks)
        try:
            return original(self, name, *args, **kwargs)
        except ValidationError as error:
            if getattr(error, "fsx_drt_template_error", False):
                for stack_id in set(self.stacks) - known:
                    stack = self.stacks.pop(stack_id)
                    for export in stack.exports:
                        self.exports.pop(export.name, None)
            raise

    create_stack._fsx_drt_fixed = True  # type: ignore[attr-defined]
    CloudFormationBackend.create_stack = create_stack


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_find_in_map()
    _fix_refused_create_stack()
    _installed = True

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

2. Rules. CloudFormation checks a template's ``Rules`` against the parameter values before it
   creates or updates anything ("CloudFormation uses rules to validate parameter values
   before it creates the resources"): a rule whose RuleCondition holds (or that has none)
   and one of whose Assertions is false refuses the CreateStack, UpdateStack or
   CreateChangeSet request. moto 5.2.5 ignores Rules. The fix evaluates them (Ref to a
   parameter, strings, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains; a rule using
   anything else is left unchecked) and refuses with ValidationError whose message is the
   assertion's AssertDescription (the text CloudFormation shows; the exact wording around it
   is an assumption).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

_installed = False


def _mapping_error(message: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    error = ValidationError(message=f"Template error: {message}")
    error.fsx_drt_template_error = True  # type: ignore[attr-defined]
    return error


def _mapped_value(mappings: Any, name: Any, top: Any, second: Any, included: Callable[[str], Any] | None) -> Any:
    """Mappings[name][top][second], or CloudFormation's error; None when not knowable yet.

    ``included`` gives a row of a mapping brought in by an AWS::Include transform (moto's
    ``transform_mapping`` loads its rows as top-level names); None before that has run.
    """
    mapping = mappings.get(name) if isinstance(name, str) and isinstance(mappings, dict) else None
    if not isinstance(mapping, dict):
        raise _mapping_error(f"Mapping named '{name}' is not present in the 'Mappings' section of template.")
    if "Fn::Transform" in mapping:
        if included is None:
            return None
        mapping = {top: included(top)} if isinstance(top, str) else {}
    row = mapping.get(top) if isinstance(top, str) else None
    value = row.get(second) if isinstance(row, dict) and isinstance(second, str) else None
    if value is None:
        raise _mapping_error(f"Unable to get mapping for {name}::{top}::{second}")
    return value


def _find_in_map(node: Any, resources_map: Any, clean_json: Callable[[Any, Any], Any]) -> Any:
    args = node["Fn::FindInMap"]
    if not isinstance(args, list) or len(args) != 3:
        raise _mapping_error("Fn::FindInMap requires exactly three arguments.")
    name, top, second = (clean_json(arg, resources_map) for arg in args)
    mappings = resources_map._template.get("Mappings") or {}
    return _mapped_value(mappings, name, top, second, resources_map._parsed_resources.get)


def _check_mappings(backend: Any, stack_name: str, template: str, parameters: dict[str, Any]) -> None:
    """Refuse the request if a Fn::FindInMap of the template cannot be resolved (before moto touches the stack).

    Arguments are resolved when they are strings, Refs to parameters or pseudo parameters, or
    nested Fn::FindInMap; anything else (and whatever sits under a Condition or Fn::If) is
    left to the resolution while resources are made.
    """
    from moto.cloudformation.models import Stack

    try:
        body = Stack.parse_template(template)
    except Exception:  # moto reports a malformed template itself
        return
    if not isinstance(body, dict):
        return
    mappings = body.get("Mappings") or {}
    values = {
        key: slot.get("Default") for key, slot in (body.get("Parameters") or {}).items() if isinstance(slot, dict)
    }
    values.update(parameters or {})
    values.update(
        {
            "AWS::AccountId": backend.account_id,
            "AWS::Region": backend.region_name,
            "AWS::StackName": stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
    )

    def static(node: Any) -> Any:
        if isinstance(node, str):
            return node
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Ref"), str):
            return values.get(node["Ref"])
        if isinstance(node, dict) and len(node) == 1 and "Fn::FindInMap" in node:
            args = node["Fn::FindInMap"]
            if isinstance(args, list) and len(args) == 3:
                name, top, second = (static(arg) for arg in args)
                if all(isinstance(arg, str) for arg in (name, top, second)):
                    return _mapped_value(mappings, name, top, second, None)
        return None

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict) and "Fn::If" not in node:
            static(node)
            for value in node.values():
                walk(value)

    for section in ("Resources", "Outputs"):
        for entry in (body.get(section) or {}).values():
            if isinstance(entry, dict) and "Condition" not in entry:
                walk(entry)


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


class _Unknown(Exception):
    """A rule uses a function the check does not evaluate: the rule is left unchecked."""


def _check_rules(template: str, parameters: dict[str, Any]) -> None:
    """Refuse the request when a rule's assertion is false for these parameter values."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import Stack

    try:
        body = Stack.parse_template(template)
    except Exception:  # moto reports a malformed template itself
        return
    if not isinstance(body, dict) or not isinstance(body.get("Rules"), dict):
        return
    values = {
        key: slot.get("Default") for key, slot in (body.get("Parameters") or {}).items() if isinstance(slot, dict)
    }
    values.update(parameters or {})

    def value(node: Any) -> Any:
        if isinstance(node, (str, int, float, bool)):
            return str(node)
        if isinstance(node, list):
            return [value(item) for item in node]
        if isinstance(node, dict) and len(node) == 1:
            (name, args), = node.items()
            if name == "Ref" and isinstance(args, str) and args in values:
                return None if values[args] is None else str(values[args])
            if name == "Fn::Equals":
                return value(args[0]) == value(args[1])
            if name == "Fn::Not":
                return not value(args[0])
            if name == "Fn::And":
                return all(value(arg) for arg in args)
            if name == "Fn::Or":
                return any(value(arg) for arg in args)
            if name == "Fn::Contains":
                return value(args[1]) in value(args[0])
        raise _Unknown()

    for rule in body["Rules"].values():
        try:
            if "RuleCondition" in rule and not value(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if value(assertion["Assert"]) is not True:
                    raise ValidationError(message=assertion.get("AssertDescription", "Assertion failed"))
        except _Unknown:
            continue


def _arguments(original: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by moto's parameter names (through any wrappers installed before)."""
    return inspect.signature(inspect.unwrap(original)).bind(*args, **kwargs).arguments


def _check_mappings_first() -> None:
    """CreateStack, UpdateStack and CreateChangeSet refuse an unresolvable Fn::FindInMap up front."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend
    from stack_rollback import _patch  # wraps also what an earlier fix wrapped

    def create_stack(original: Any) -> Callable[..., Any]:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            given = _arguments(original, (self, *args), kwargs)
            _check_mappings(self, given["name"], given["template"], given["parameters"])
            _check_rules(given["template"], given["parameters"])
            known = set(self.stacks)
            try:
                return original(self, *args, **kwargs)
            except ValidationError as error:
                # One the check could not resolve failed while resources were made: no stack is left.
                if getattr(error, "fsx_drt_template_error", False):
                    for stack_id in set(self.stacks) - known:
                        for export in self.stacks.pop(stack_id).exports:
                            self.exports.pop(export.name, None)
                raise

        return checked

    def update_stack(original: Any) -> Callable[..., Any]:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            given = _arguments(original, (self, *args), kwargs)
            stack = self.get_stack(given["name"])
            values = self._resolve_update_parameters(instance=stack, incoming_params=given["parameters"])
            _check_mappings(self, stack.name, given["template"], values)
            _check_rules(given["template"], values)
            return original(self, *args, **kwargs)

        return checked

    def create_change_set(original: Any) -> Callable[..., Any]:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            given = _arguments(original, (self, *args), kwargs)
            _check_mappings(self, given["stack_name"], given["template"], given["parameters"])
            _check_rules(given["template"], given["parameters"])
            return original(self, *args, **kwargs)

        return checked

    _patch(CloudFormationBackend, "create_stack", create_stack)
    _patch(CloudFormationBackend, "update_stack", update_stack)
    _patch(CloudFormationBackend, "create_change_set", create_change_set)


def install() -> None:
    global _installed
    if _installed:
        return
    _fix_find_in_map()
    _check_mappings_first()
    _installed = True

"""Opt-in: CloudFormation stack operations that take time (FSX_DRT_EMULATOR_STACK_DELAY).

moto finishes every stack operation inside the request that starts it, so a client that
polls never sees one in progress, and the time a client takes to notice the end (its
completion latency) cannot be measured. With

    FSX_DRT_EMULATOR_STACK_DELAY=SECONDS     (read by emulator/server.py at start)

an operation moto has finished still shows as in progress until SECONDS after it
started (start: the timestamp of the operation's *_IN_PROGRESS stack event, i.e. the
ExecuteChangeSet, CreateStack, UpdateStack or DeleteStack request):

- DescribeStacks, ListStacks: StackStatus is the operation's *_IN_PROGRESS status
  (CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS, DELETE_IN_PROGRESS) until then, the final
  status from then on;
- DescribeStackEvents: the final stack event (CREATE_COMPLETE, ...) is timestamped
  start + SECONDS and listed only from that moment on;
- a stack being deleted is still found by name until then (DescribeStacks,
  DescribeStackEvents, ...); afterwards, as in AWS, only by its stack id.

The server log (target/emulator.log with --detach) gets one line per delayed operation:
``stack-delay: <stack name> <final status> at <ISO time of the final event>``.

``POST /__fsx_drt_emulator/stack-delay`` with ``{"Seconds": N}`` changes the delay for
operations that end from then on (0 turns it off); ``GET`` shows it. Unset, empty or 0
at start: nothing is patched until a delay is set, so moto behaves exactly as without
this module. Resource-level events are not delayed (moto writes none).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import sys
import threading
from typing import Any

ENV = "FSX_DRT_EMULATOR_STACK_DELAY"

_lock = threading.Lock()
_delay_seconds = 0.0
_installed = False


def parse(raw: str) -> float:
    """Seconds from the variable's text; ValueError unless a finite number >= 0."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{ENV} must be a number of seconds >= 0, not {raw!r}")
    return value


def from_environment() -> None:
    """Applies FSX_DRT_EMULATOR_STACK_DELAY when set (ValueError when it is not a number)."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        configure(parse(raw))


def configure(seconds: float) -> None:
    """Sets the delay for operations ending from now on; patches moto on the first non-zero one."""
    global _delay_seconds
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"the stack delay must be a number of seconds >= 0, not {seconds!r}")
    with _lock:
        _delay_seconds = float(seconds)
        if seconds > 0:
            _install()


def current() -> float:
    return _delay_seconds


def _is_final(status: str) -> bool:
    return status.endswith("_COMPLETE") or status.endswith("_FAILED")


def _pending(stack: Any, now: _dt.datetime) -> str | None:
    """The in-progress status a stack still shows, or None once its operation has ended."""
    pending = stack.__dict__.get("_fsx_drt_pending")
    if pending is not None and now < pending[0]:
        return pending[1]
    return None


def _install() -> None:
    global _installed
    if _installed:
        return
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend, Stack
    from moto.core.utils import utcnow

    def get_status(self: Any) -> Any:
        return _pending(self, utcnow()) or self.__dict__.get("status")

    def set_status(self: Any, value: Any) -> None:
        self.__dict__["status"] = value

    # A data descriptor wins over the instance attribute moto assigns, for old stacks too.
    Stack.status = property(get_status, set_status)  # type: ignore[assignment]

    original_add_event = Stack._add_stack_event

    def _add_stack_event(self: Any, resource_status: str, *args: Any, **kwargs: Any) -> None:
        original_add_event(self, resource_status, *args, **kwargs)
        delay = _delay_seconds
        if delay <= 0 or not _is_final(resource_status):
            return
        final = self.events[-1]
        start = None
        for event in reversed(self.events[:-1]):
            if _is_final(event.resource_status):
                break  # an earlier operation's end: this one has no start event
            if event.resource_status.endswith("_IN_PROGRESS") and event.resource_status != "REVIEW_IN_PROGRESS":
                start = event
                break
        if start is None:
            return
        end = start.timestamp + _dt.timedelta(seconds=delay)
        if end <= final.timestamp:
            return  # moto itself took longer than the delay
        final.timestamp = end
        self.__dict__["_fsx_drt_pending"] = (end, start.resource_status)
        print(
            f"stack-delay: {self.name} {resource_status} at {end.isoformat(timespec='milliseconds')}Z",
            file=sys.stderr,
            flush=True,
        )

    Stack._add_stack_event = _add_stack_event  # type: ignore[method-assign]

    def deleting(backend: Any, name: str) -> Any:
        now = utcnow()
        found = [s for s in backend.deleted_stacks.values() if s.name == name and _pending(s, now)]
        return found[-1] if found else None

    original_get_stack = CloudFormationBackend.get_stack

    def get_stack(self: Any, name_or_stack_id: str) -> Any:
        try:
            return original_get_stack(self, name_or_stack_id)
        except ValidationError:
            stack = deleting(self, name_or_stack_id)
            if stack is None:
                raise
            return stack

    CloudFormationBackend.get_stack = get_stack  # type: ignore[method-assign]

    original_describe_stacks = CloudFormationBackend.describe_stacks

    def describe_stacks(self: Any, name_or_stack_id: str) -> Any:
        if not name_or_stack_id:
            now = utcnow()
            still = [s for s in self.deleted_stacks.values() if _pending(s, now)]
            return list(original_describe_stacks(self, name_or_stack_id)) + still
        try:
            return original_describe_stacks(self, name_or_stack_id)
        except ValidationError:
            stack = deleting(self, name_or_stack_id)
            if stack is None:
                raise
            return [stack]

    CloudFormationBackend.describe_stacks = describe_stacks  # type: ignore[method-assign]

    original_describe_events = CloudFormationBackend.describe_stack_events

    def describe_stack_events(self: Any, stack_name: str) -> Any:
        now = utcnow()
        # Only a delayed final event has a timestamp in the future.
        return [e for e in original_describe_events(self, stack_name) if e.timestamp <= now]

    CloudFormationBackend.describe_stack_events = describe_stack_events  # type: ignore[method-assign]
    _installed = True

"""What EventBridge Scheduler refuses in a schedule or schedule group, as the service does.

Shared by the API (CreateSchedule, UpdateSchedule, CreateScheduleGroup; see
scheduler_resources.py) and the CloudFormation resources AWS::Scheduler::Schedule and
AWS::Scheduler::ScheduleGroup, which call the same API. Every refusal is a
``ValidationException`` (HTTP 400, body ``{"__type", "message", "Message"}``: ``Message`` is
the member in the Scheduler model, moto writes ``message``, so both are sent).

Two kinds of message:

* the model's constraints (botocore's scheduler/2021-06-30/service-2.json: required members,
  string lengths and patterns, enums, integer ranges) in the wording of every AWS service
  that validates against its model: ``1 validation error detected: Value '0' at
  'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: Member must have
  value greater than or equal to 1`` (several: ``2 validation errors detected: ...; ...``);
* the rules beyond the model, checked once the constraints hold: ScheduleExpression must be
  ``cron(6 fields)``, ``rate(N minute[s]|hour[s]|day[s])`` or ``at(yyyy-mm-ddThh:mm:ss)``
  (model documentation and the user guide's "Schedule types"), refused with
  ``Invalid Schedule Expression EXPR.`` (the text AWS answers, as recorded against AWS in
  LocalStack's scheduler snapshots); ScheduleExpressionTimezone must be an IANA zone
  (the user guide); FLEXIBLE needs MaximumWindowInMinutes; a recurring schedule's StartDate
  may not lie more than 5 minutes in the past (moto's text). The texts of the last three are
  not documented: see ASSUMED.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import zoneinfo
from typing import Any

from moto.scheduler.exceptions import ValidationException as MotoValidationException

NAME_PATTERN = "[0-9a-zA-Z-_.]+"
ROLE_ARN_PATTERN = r"arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+"
SQS_ARN_PATTERN = r"arn:aws[a-z-]*:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+"
KMS_ARN_PATTERN = r"arn:aws[a-z-]*:kms:[a-z0-9\-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*"
STATES = ("ENABLED", "DISABLED")
MODES = ("OFF", "FLEXIBLE")
ACTIONS_AFTER_COMPLETION = ("NONE", "DELETE")

#: Messages of rules AWS enforces without documenting the text (the emulator's wording).
ASSUMED = {
    "timezone": "Invalid Schedule Expression Timezone {}.",
    "flexible": "MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.",
}
START_DATE_TOO_EARLY = "The StartDate you specify cannot be earlier than 5 minutes ago."


class ValidationException(MotoValidationException):
    """Scheduler's ValidationException with both ``message`` and the modelled ``Message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.description = json.dumps({"__type": "ValidationException", "message": message, "Message": message})


class Constraints:
    """Collects the model's constraint violations in request order, raises them at once."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def _fail(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{value}'"
        self.violations.append(f"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}")

    def required(self, path: str, value: Any) -> bool:
        if value is None:
            self._fail(None, path, "not be null")
            return False
        return True

    def string(self, path: str, value: Any, low: int, high: int | None = None, pattern: str | None = None) -> None:
        if value is None:
            return
        text = str(value)
        if len(text) < low:
            self._fail(text, path, f"have length greater than or equal to {low}")
        elif high is not None and len(text) > high:
            self._fail(text, path, f"have length less than or equal to {high}")
        if pattern is not None and not re.fullmatch(pattern, text):
            self._fail(text, path, f"satisfy regular expression pattern: {pattern}")

    def enum(self, path: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value is not None and value not in allowed:
            self._fail(value, path, f"satisfy enum value set: [{', '.join(allowed)}]")

    def integer(self, path: str, value: Any, low: int, high: int) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationException(f"Value '{value}' at '{path}' is not an integer")
        if value < low:
            self._fail(value, path, f"have value greater than or equal to {low}")
        elif value > high:
            self._fail(value, path, f"have value less than or equal to {high}")

    def raise_any(self) -> None:
        count = len(self.violations)
        if count:
            noun = "error" if count == 1 else "errors"
            raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(self.violations))


def check_group_name(name: Any, path: str = "name") -> None:
    constraints = Constraints()
    if constraints.required(path, name):
        constraints.string(path, name, 1, 64, NAME_PATTERN)
    constraints.raise_any()


def check_schedule(request: dict[str, Any], now: _dt.datetime | None = None) -> None:
    """CreateSchedule/UpdateSchedule input (API member names) -> ValidationException if refused."""
    c = Constraints()
    if c.required("name", request.get("Name")):
        c.string("name", request["Name"], 1, 64, NAME_PATTERN)
    c.string("groupName", request.get("GroupName"), 1, 64, NAME_PATTERN)
    if c.required("scheduleExpression", request.get("ScheduleExpression")):
        c.string("scheduleExpression", request["ScheduleExpression"], 1, 256)
    c.string("description", request.get("Description"), 0, 512)
    c.string("scheduleExpressionTimezone", request.get("ScheduleExpressionTimezone"), 1, 50)
    c.enum("state", request.get("State"), STATES)
    c.string("kmsKeyArn", request.get("KmsKeyArn"), 1, 2048, KMS_ARN_PATTERN)
    c.enum("actionAfterCompletion", request.get("ActionAfterCompletion"), ACTIONS_AFTER_COMPLETION)
    target = request.get("Target")
    if c.required("target", target):
        if c.required("target.arn", target.get("Arn")):
            c.string("target.arn", target["Arn"], 1, 1600)
        if c.required("target.roleArn", target.get("RoleArn")):
            c.string("target.roleArn", target["RoleArn"], 1, 1600, ROLE_ARN_PATTERN)
        c.string("target.input", target.get("Input"), 1)
        c.string("target.deadLetterConfig.arn", (target.get("DeadLetterConfig") or {}).get("Arn"), 1, 1600, SQS_ARN_PATTERN)
        retry = target.get("RetryPolicy") or {}
        c.integer("target.retryPolicy.maximumEventAgeInSeconds", retry.get("MaximumEventAgeInSeconds"), 60, 86400)
        c.integer("target.retryPolicy.maximumRetryAttempts", retry.get("MaximumRetryAttempts"), 0, 185)
    window = request.get("FlexibleTimeWindow")
    if c.required("flexibleTimeWindow", window):
        if c.required("flexibleTimeWindow.mode", window.get("Mode")):
            c.enum("flexibleTimeWindow.mode", window["Mode"], MODES)
        c.integer("flexibleTimeWindow.maximumWindowInMinutes", window.get("MaximumWindowInMinutes"), 1, 1440)
    c.raise_any()

    expression = request["ScheduleExpression"]
    if not valid_expression(expression):
        raise ValidationException(f"Invalid Schedule Expression {expression}.")
    zone = request.get("ScheduleExpressionTimezone")
    if zone is not None and zone not in zoneinfo.available_timezones():
        raise ValidationException(ASSUMED["timezone"].format(zone))
    if window["Mode"] == "FLEXIBLE" and window.get("MaximumWindowInMinutes") is None:
        raise ValidationException(ASSUMED["flexible"])
    start = request.get("StartDate")
    if start is not None and not expression.startswith("at("):
        now = now or _dt.datetime.now(_dt.timezone.utc)
        if _dt.datetime.fromtimestamp(float(start), _dt.timezone.utc) < now - _dt.timedelta(minutes=5):
            raise ValidationException(START_DATE_TOO_EARLY)


# --------------------------------------------------------------------------------------------
# Schedule expressions (user guide, "Schedule types on EventBridge Scheduler")
# --------------------------------------------------------------------------------------------

RATE = re.compile(r"rate\(([0-9]+) (minute|minutes|hour|hours|day|days)\)")
AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
CRON = re.compile(r"cron\(([^()]*)\)")
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
#: minutes, hours, day-of-month, month, day-of-week, year: (low, high, names, extra wildcards)
CRON_FIELDS: list[tuple[int, int, list[str], str]] = [
    (0, 59, [], ""),
    (0, 23, [], ""),
    (1, 31, [], "?LW"),
    (1, 12, MONTHS, ""),
    (1, 7, DAYS, "?L#"),
    (1970, 2199, [], ""),
]


def valid_expression(expression: str) -> bool:
    if match := RATE.fullmatch(expression):
        return int(match.group(1)) > 0
    if match := AT.fullmatch(expression):
        try:
            _dt.datetime(*(int(part) for part in match.groups()))
        except ValueError:
            return False
        return True
    if match := CRON.fullmatch(expression):
        fields = match.group(1).split(" ")
        if len(fields) != 6 or not all(_cron_field(f, *spec) for f, spec in zip(fields, CRON_FIELDS)):
            return False
        day_of_month, day_of_week = fields[2], fields[4]
        return (day_of_month == "?") != (day_of_week == "?")  # exactly one of them is "?"
    return False


def _cron_value(text: str, low: int, high: int, names: list[str]) -> bool:
    if text.upper() in names:
        return True
    return text.isdigit() and low <= int(text) <= high


def _cron_field(field: str, low: int, high: int, names: list[str], extra: str) -> bool:
    if field == "?":
        return "?" in extra
    for item in field.split(","):
        base, _, step = item.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if base == "*":
            continue
        if "L" in extra and base == "L":
            continue
        if "W" in extra and base.endswith("W") and _cron_value(base[:-1], low, high, names):
            continue
        if "#" in extra and "#" in base:
            day, _, nth = base.partition("#")
            if _cron_value(day, low, high, names) and nth in {"1", "2", "3", "4", "5"}:
                continue
            return False
        if "L" in extra and base.endswith("L") and _cron_value(base[:-1], low, high, names):
            continue
        first, _, last = base.partition("-")
        if not _cron_value(first, low, high, names) or (last and not _cron_value(last, low, high, names)):
            return False
    return True

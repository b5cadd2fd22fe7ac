"""Lambda reads a function's code from S3 as the caller, in the function's region.

moto 5.2.5 fetches ``Code.S3Bucket``/``S3Key`` from whichever account owns the bucket (its S3
buckets are per account, found across accounts by name) in any region, with no permission
check. Lambda reads the object with the caller's permissions, so for a bucket of another
account the bucket policy must grant it, and the bucket must be in the function's region
("The Amazon S3 bucket must be in the same AWS Region as your function. The bucket can be in a
different AWS account", Lambda API reference, FunctionCode.S3Bucket). ``install()`` checks, before
moto makes the function (CreateFunction, or AWS::Lambda::Function in a stack):

- bucket in another region than the function: InvalidParameterValueException (400) ``Error
  occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in
  this region: REGION. Please use this region to retry the request`` (the text Lambda gives);
- bucket of another account whose policy does not allow the function's account s3:GetObject
  on the key: AccessDeniedException (403) ``Your access has been denied by S3, please make sure
  your request credentials have permission to GetObject for BUCKET/KEY. S3 Error Code:
  AccessDenied. S3 Error Message: Access Denied``. Allowed are Allow statements whose Action
  matches s3:GetObject, whose Resource matches the object's ARN and whose Principal is the
  account (``"123456789012"``, ``arn:aws:iam::123456789012:root`` or any of its ARNs) or ``*``;
  a statement with a Condition counts only for ``StringEquals`` ``aws:PrincipalOrgID`` equal to
  the organization (moto Organizations) the account belongs to. Deny statements and the
  caller's own IAM policies are not evaluated.

In a stack the refusal fails the resource and the stack rolls back (stack_rollback.py) with
CloudFormation's wording (``Resource handler returned message: "... (Service: Lambda, Status
Code: 403, ...)" (RequestToken: ..., HandlerErrorCode: AccessDenied)``), so a StackSets
instance whose account cannot read the code FAILED with that reason.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

_installed = False


class CodeRefused(Exception):
    def __init__(self, code: str, status: int, message: str, handler_error_code: str) -> None:
        super().__init__(message)
        self.code, self.status, self.handler_error_code = code, status, handler_error_code


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def organization_of(account: str) -> str | None:
    from moto.organizations.models import organizations_backends

    for _, by_partition in list(organizations_backends.items()):
        for backend in list(by_partition.values()):
            if backend.org is not None and any(a.id == account for a in backend.accounts):
                return backend.org.id
    return None


def _principal_matches(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _listed(principal.get("AWS", [])):
        if value in ("*", account) or str(value).startswith(f"arn:aws:iam::{account}:"):
            return True
    return False


def _condition_holds(condition: dict[str, Any] | None, account: str) -> bool:
    if not condition:
        return True
    if set(condition) != {"StringEquals"} or set(condition["StringEquals"]) != {"aws:PrincipalOrgID"}:
        return False  # a condition this emulator does not evaluate grants nothing
    org = organization_of(account)
    return org is not None and org in _listed(condition["StringEquals"]["aws:PrincipalOrgID"])


def policy_allows(policy: bytes | str | None, bucket: str, key: str, account: str) -> bool:
    if not policy:
        return False
    document = json.loads(policy)
    arn = f"arn:aws:s3:::{bucket}/{key}"
    for statement in _listed(document.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        if not any(fnmatch.fnmatchcase("s3:getobject", str(a).lower()) for a in _listed(statement.get("Action", []))):
            continue
        if not any(fnmatch.fnmatchcase(arn, str(r)) for r in _listed(statement.get("Resource", []))):
            continue
        if _principal_matches(statement.get("Principal"), account) and _condition_holds(statement.get("Condition"), account):
            return True
    return False


def check(account: str, region: str, code: dict[str, Any]) -> None:
    """CodeRefused when Lambda in account/region could not read code's S3 object."""
    from moto.s3.models import s3_backends

    bucket_name, key = code.get("S3Bucket"), code.get("S3Key")
    if not bucket_name or not key or bucket_name not in s3_backends.bucket_accounts:
        return  # no S3 code, or no such bucket: moto's own answer (NoSuchBucket)
    partition, owner = s3_backends.bucket_accounts[bucket_name]
    bucket = s3_backends[owner][partition].buckets.get(bucket_name)
    if bucket is None:
        return
    if bucket.region_name != region:
        raise CodeRefused(
            "InvalidParameterValueException",
            400,
            f"Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in this region: "
            f"{bucket.region_name}. Please use this region to retry the request",
            "InvalidRequest",
        )
    if owner != account and not policy_allows(bucket.policy, bucket_name, key, account):
        raise CodeRefused(
            "AccessDeniedException",
            403,
            f"Your access has been denied by S3, please make sure your request credentials have permission to GetObject for "
            f"{bucket_name}/{key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
            "AccessDenied",
        )


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.models import LambdaFunction

    from stack_rollback import ResourceFailed

    original_init = LambdaFunction.__init__

    def __init__(self: Any, account_id: str, spec: dict[str, Any], region: str, *args: Any, **kwargs: Any) -> None:
        try:
            check(account_id, region, spec.get("Code") or {})
        except CodeRefused as refused:
            error = LambdaClientError(refused.code, str(refused))
            error.code = refused.status
            error.refused = refused  # type: ignore[attr-defined]
            raise error from None
        original_init(self, account_id, spec, region, *args, **kwargs)

    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]

    original_create = LambdaFunction.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
        try:
            return original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        except LambdaClientError as error:
            refused = getattr(error, "refused", None)
            if refused is None:
                raise
            raise ResourceFailed(
                kwargs.get("LogicalId", resource_name), "AWS::Lambda::Function", "Lambda", str(refused), refused.handler_error_code, refused.status
            ) from None

    LambdaFunction.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign,assignment]
    _installed = True

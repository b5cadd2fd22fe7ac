"""The one paging rule (MaxResults, NextToken) of every FSx list/describe operation here.

DescribeFileSystems, DescribeDataRepositoryAssociations and DescribeDataRepositoryTasks page
the same way:

  * MaxResults, when given, is an integer from 1 to the operation's maximum (BadRequest
    otherwise); without it a page holds the operation's default number of items;
  * the items are in a fixed order (a sort key); NextToken holds the key of the last item
    returned and a digest of the request's other parameters, and the next page starts after
    that key. Keyset paging, rather than moto's ``@paginate`` (which resumes *at* the next
    item), so a page follows on even when an item has left the result between two calls
    (a task leaving a task-lifecycle filter, a resource deleted);
  * a NextToken that cannot be decoded, or that came with other parameters, is BadRequest
    "The NextToken provided is invalid." (InvalidNextToken).

Use: ``pager = Pager(request, max_results, next_token, default=..., maximum=...)`` first
(so its errors come before the lookups'), then ``pager.page(items, key)``, and answer with
``page_body(member, dicts, token)``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .exceptions import BadRequest, InvalidNextToken

T = TypeVar("T")

#: The largest MaxResults the FSx model allows where it sets no lower bound of its own.
MAX_INT = 2147483647


def check_max_results(value: Any, maximum: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise BadRequest(f"MaxResults must be an integer from 1 to {maximum}; got {value!r}.")


def _digest(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class Pager:
    """One page of one request: validates MaxResults and NextToken when built."""

    def __init__(
        self,
        request: dict[str, Any],
        max_results: Any,
        next_token: Any,
        default: int,
        maximum: int = MAX_INT,
    ) -> None:
        check_max_results(max_results, maximum)
        self.limit: int = max_results or default
        self.digest = _digest(request)
        self.after: tuple[Any, ...] | None = None
        if next_token is not None:
            try:
                token = json.loads(base64.b64decode(str(next_token).encode(), validate=True).decode())
                if token["h"] != self.digest:
                    raise ValueError("request changed")
                self.after = tuple(token["k"])
            except Exception as exc:  # noqa: BLE001 - any malformed token
                raise InvalidNextToken(next_token) from exc

    def page(
        self,
        items: Iterable[T],
        key: Callable[[T], tuple[Any, ...]],
        descending: bool = False,
    ) -> tuple[list[T], str | None]:
        """The items of this page, ordered by ``key`` (a tuple of JSON scalars), and NextToken."""
        ordered = sorted(items, key=key, reverse=descending)
        if self.after is not None:
            after = self.after
            ordered = [i for i in ordered if (key(i) < after if descending else key(i) > after)]
        page = ordered[: self.limit]
        token = None
        if len(ordered) > self.limit:
            last = {"h": self.digest, "k": list(key(page[-1]))}
            token = base64.b64encode(json.dumps(last).encode()).decode()
        return page, token


def page_body(member: str, items: list[dict[str, Any]], next_token: str | None) -> str:
    """The JSON answer of a paged operation: ``{member: items}``, plus NextToken if more follow."""
    out: dict[str, Any] = {member: items}
    if next_token:
        out["NextToken"] = next_token
    return json.dumps(out)

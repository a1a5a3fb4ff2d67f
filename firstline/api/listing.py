"""Query parameters and keyset pagination shared by the /api/v1 list endpoints.

Every list is ordered by primary key and paged with an opaque ``cursor``
(the last key of the previous page), so a page costs the same at row 30,000
as at row 0 and a concurrent insert never shifts a page. ``limit`` is bounded
by ``MAX_LIMIT``. Every present parameter is validated strictly: a value
outside its documented set is a 400 in the one error shape, never an empty
list that looks like an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
CURSOR = re.compile(r"[0-9]{1,12}")
LIMIT = re.compile(r"[0-9]{1,3}")
STATE = re.compile(r"[A-Za-z]{2}")
SLUG = re.compile(r"[a-z0-9_-]{1,120}")
OCD_DIVISION = re.compile(r"ocd-division/[^\s]{1,190}")

M = TypeVar("M", bound=Model)


class BadParameter(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PageParams:
    after: int
    limit: int


def page_params(query: QueryDict) -> PageParams:
    limit_text = query.get("limit")
    limit = DEFAULT_LIMIT
    if limit_text is not None:
        if not LIMIT.fullmatch(limit_text) or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise BadParameter(f"limit must be an integer from 1 to {MAX_LIMIT}.")
        limit = int(limit_text)
    cursor = query.get("cursor")
    if cursor is not None and not CURSOR.fullmatch(cursor):
        raise BadParameter("cursor must be the value of a page's `next` link.")
    return PageParams(after=int(cursor) if cursor else 0, limit=limit)


def choice(query: QueryDict, name: str, allowed: Iterable[str]) -> str | None:
    value = query.get(name)
    if value is None:
        return None
    options = list(allowed)
    if value not in options:
        raise BadParameter(f"{name} must be one of: {', '.join(options)}.")
    return value


def matching(query: QueryDict, name: str, pattern: re.Pattern[str], what: str) -> str | None:
    value = query.get(name)
    if value is not None and not pattern.fullmatch(value):
        raise BadParameter(f"{name} must be {what}.")
    return value


def state(query: QueryDict) -> str | None:
    value = matching(query, "state", STATE, "a two-letter state code, e.g. TX")
    return value.upper() if value else None


def jurisdiction(query: QueryDict) -> str | None:
    return matching(query, "jurisdiction", OCD_DIVISION, "an OCD division id")


def slug(query: QueryDict, name: str) -> str | None:
    return matching(query, name, SLUG, "a slug (lowercase letters, digits, _ and -)")


def keyset_page(qs: QuerySet[M], page: PageParams) -> tuple[list[M], bool]:
    """One page of ``qs`` after the cursor, and whether there is more."""
    rows = list(qs.filter(pk__gt=page.after).order_by("pk")[: page.limit + 1])
    return rows[: page.limit], len(rows) > page.limit


def envelope(
    request: HttpRequest, results: list[dict[str, Any]], *, more: bool, last: int | None
) -> dict[str, Any]:
    """``{"results": [...], "next": url or null}``: ``next`` repeats the request's filters."""
    next_url = None
    if more and last is not None:
        params = request.GET.copy()
        params["cursor"] = str(last)
        next_url = f"{request.build_absolute_uri(request.path)}?{params.urlencode()}"
    return {"results": results, "next": next_url}

"""Lists of 50 a page.

Two pagers, for two sizes of list:
- `page_of`: numbered pages over an exact count (Django's Paginator), for lists of thousands at most: a
  station's cases, the staff of a city. A bad number gives the nearest real page.
- `keyset_page`: for logs of millions (the audit log), newest first. "Next" and "previous" carry the position of
  the last (first) row shown, so every page costs one index range scan however deep it is, and nothing counts
  millions of rows: the total is counted up to COUNT_LIMIT and beyond that estimated (PostgreSQL's planner) or
  given as "more than". A bare page number (an old link, a typed one) still works up to OFFSET_LIMIT rows down.
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50
# Up to this many rows a total is counted exactly (an index range scan of at most this many entries).
COUNT_LIMIT = 10_000
# A page asked for by its number alone is read with OFFSET, at most this many rows down.
OFFSET_LIMIT = 10_000
CURSOR = re.compile(r"(\d{1,19})-(\d{1,19})")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def page_of(items, request: HttpRequest, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, without its position: for the pager's links (includes/pager.html)
    and for links that take the same filters elsewhere (the audit log's export)."""
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    return query.urlencode()


# --- keyset pages ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeysetPage:
    """One page of a keyset list and what its pager shows (includes/keyset_pager.html)."""

    object_list: list
    number: int  # as walked from the first page: a label, not a position (new rows move every page down)
    has_next: bool
    has_previous: bool
    next_query: str  # query strings of the pager's links, with the list's filters
    previous_query: str
    total: int  # the rows of the list: counted, estimated or a lower bound (see total_kind)
    total_kind: str  # "exact", "estimate" (about `total`) or "more" (more than `total`)
    size: int = PAGE_SIZE

    @property
    def num_pages(self) -> int | None:
        """The number of pages, when the total was counted."""
        if self.total_kind != "exact":
            return None
        return max(1, -(-self.total // self.size))

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def keyset_cursor(row: Model, field: str = "at") -> str:
    """The position of `row` in a list ordered by (`field`, pk) newest first: `<microseconds>-<pk>`."""
    moment = getattr(row, field)
    micros = (moment - EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}-{row.pk}"


def _cursor_parse(text: str | None) -> tuple[datetime.datetime, int] | None:
    match = CURSOR.fullmatch(text or "")
    if match is None:
        return None
    try:
        moment = EPOCH + datetime.timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        return None
    return moment, int(match.group(2))


def _number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def keyset_page(items: QuerySet, request: HttpRequest, *, field: str = "at", size: int = PAGE_SIZE,
                count_limit: int | None = None) -> KeysetPage:
    """The page of `items` (newest first by `field` then pk) the request asks for: ?after= or ?before= a cursor,
    or ?page= a number. A cursor nobody made is ignored (the number alone counts); one past the end gives the last
    page.

    Two queries: the ids of the list in order, at most `count_limit` + 1 of them, and the page's rows. A list no
    longer than that is paged among its own ids (its total and page numbers exact), and its rows are read by id: the
    planner cannot then walk down the scope's index looking for rows that are few, old or elsewhere (its guess for
    a person or a case is the whole scope's), which at a city reads millions. A longer list is read from the cursor
    down an index on (scope, `field`, id), with the total estimated (one EXPLAIN, PostgreSQL) or "more than".
    """
    after = _cursor_parse(request.GET.get("after"))
    before = None if after else _cursor_parse(request.GET.get("before"))
    number = _number(request.GET.get("page"))
    newest_first = items.order_by(f"-{field}", "-pk")
    count_limit = COUNT_LIMIT if count_limit is None else count_limit
    ids = list(newest_first.values_list("pk", flat=True)[:count_limit + 1])
    if len(ids) <= count_limit:
        rows, number, has_next, has_previous = _among(newest_first, ids, after, before, number, size)
        total, kind = len(ids), "exact"
    else:
        rows, number, has_next, has_previous = _from_cursor(items, newest_first, after, before, number, field, size)
        total, kind = _beyond(newest_first, count_limit)
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    next_query = previous_query = ""
    if has_next and rows:
        next_query = _link(query, number + 1, "after", keyset_cursor(rows[-1], field))
    if has_previous and rows:
        previous_query = _link(query, number - 1, "before", keyset_cursor(rows[0], field))
    return KeysetPage(rows, number, has_next, has_previous, next_query, previous_query, total, kind, size)


def _among(newest_first: QuerySet, ids: list, after, before, number: int, size: int) -> tuple[list, int, bool, bool]:
    """A page of a list whose ids are all known, newest first: by the cursor's row, else by the number."""
    cursor = after or before
    position = {pk: i for i, pk in enumerate(ids)}.get(cursor[1]) if cursor else None
    if position is not None and after:
        # The rows after the cursor's; past the end, the last page.
        start = position + 1 if position + 1 < len(ids) else max(0, len(ids) - size)
    elif position is not None:
        start = max(0, position - size)
    else:  # no cursor, or its row is not (or no longer) in the list: the page of that number
        start = (min(number, max(1, -(-len(ids) // size))) - 1) * size
    shown = ids[start:start + size]
    rows = list(newest_first.filter(pk__in=shown)) if shown else []
    number = max(2, start // size + 1) if start else 1
    return rows, number, start + size < len(ids), start > 0


def _from_cursor(items: QuerySet, newest_first: QuerySet, after, before, number: int, field: str,
                 size: int) -> tuple[list, int, bool, bool]:
    """A page of a long list, read from the cursor down (or up) the index; the number only labels it."""
    if after is not None:
        rows, has_next = _older(newest_first, after, field, size)
        has_previous = True
        if not rows:  # past the end: the last page, up to and including the cursor's row
            rows, has_previous = _newer(items, after, field, size, inclusive=True)
            has_next, number = False, number - 1
    elif before is not None:
        rows, has_previous = _newer(items, before, field, size)
        has_next = True
        if not has_previous:  # back at the top (or above it): the first page as it is now
            rows, has_next = _first(newest_first, 0, size)
    else:  # by the number alone: as far down as OFFSET_LIMIT
        number = min(number, max(1, OFFSET_LIMIT // size))
        rows, has_next = _first(newest_first, (number - 1) * size, size)
        has_previous = number > 1
    return rows, (max(number, 2) if has_previous else 1), has_next, has_previous


def _first(newest_first: QuerySet, offset: int, size: int) -> tuple[list, bool]:
    rows = list(newest_first[offset:offset + size + 1])
    return rows[:size], len(rows) > size


def _older(newest_first: QuerySet, cursor: tuple[datetime.datetime, int], field: str, size: int) -> tuple[list, bool]:
    moment, pk = cursor
    # "at <= t" bounds the index range; the OR only drops the rows of that same instant already shown.
    rows = list(newest_first.filter(Q(**{f"{field}__lte": moment}),
                                    Q(**{f"{field}__lt": moment}) | Q(pk__lt=pk))[:size + 1])
    return rows[:size], len(rows) > size


def _newer(items: QuerySet, cursor: tuple[datetime.datetime, int], field: str, size: int,
           inclusive: bool = False) -> tuple[list, bool]:
    moment, pk = cursor
    same_instant = Q(pk__gte=pk) if inclusive else Q(pk__gt=pk)
    oldest_first = items.order_by(field, "pk").filter(Q(**{f"{field}__gte": moment}),
                                                      Q(**{f"{field}__gt": moment}) | same_instant)
    rows = list(oldest_first[:size + 1])
    return rows[:size][::-1], len(rows) > size


def _link(query: QueryDict, number: int, key: str, cursor: str) -> str:
    link = query.copy()
    if number > 1:
        link["page"] = str(number)
        link[key] = cursor
    return link.urlencode()


def bounded_total(items: QuerySet, limit: int | None = None) -> tuple[int, str]:
    """How many rows `items` has: ("exact") up to `limit` (COUNT_LIMIT); past it the planner's estimate
    ("estimate", PostgreSQL) or `limit` itself ("more": more than that). Never counts more than limit + 1 rows."""
    limit = COUNT_LIMIT if limit is None else limit
    counted = items.order_by().values("pk")[:limit + 1].count()
    if counted <= limit:
        return counted, "exact"
    return _beyond(items, limit)


def _beyond(items: QuerySet, limit: int) -> tuple[int, str]:
    """The total of a list known to be longer than `limit`: the planner's estimate, or "more than `limit`"."""
    estimate = planner_estimate(items.order_by().values("pk"))
    if estimate is not None and estimate > limit:
        return _two_figures(estimate), "estimate"
    return limit, "more"


def planner_estimate(items: QuerySet) -> int | None:
    """The rows PostgreSQL's planner expects `items` to have (EXPLAIN, nothing read), or None elsewhere."""
    connection = connections[items.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = items.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _two_figures(n: int) -> int:
    """Round an estimate so it does not look counted: 2,987,512 -> 3,000,000; 43,210 -> 43,000."""
    digits = len(str(n))
    return round(n, 2 - digits) if digits > 2 else n

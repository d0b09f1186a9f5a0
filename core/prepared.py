"""Hot reads compiled to SQL once per process, then run with new values.

Django compiles a queryset to SQL every time it is evaluated. For the few reads every counter request makes (the
signed-in person with their unit and its ancestors, the case with its guide, the item with its version) the
compiling cost more CPU than PostgreSQL spent answering: about a third of a counter request's CPU in the profile
(docs/scale.md). A `Prepared` read builds its queryset once, with example values, keeps the SQL, the compiler's
column map and converters, and afterwards substitutes the values and builds the objects the way Django's
ModelIterable does (`from_db`, the select_related populators, annotations). What comes back is the same model
instances the queryset would give; tests/core/test_prepared.py compares the two.

`run(build, *shape, **values)` is the way to use it: the read is compiled on its first call and kept by where
`build` is written. `Prepared(build, **examples)` is the engine (and what the tests compare with the queryset).

Limits, checked when the read is first compiled: the values are ints, strings, dates or datetimes that reach the
SQL unchanged (no `__icontains`, no `__in` over a list that may change length), compared for equality (an integer
beyond 64 bits finds nothing, as Django's own lookups answer); no prefetch_related (prefetch
afterwards), no values()/values_list(), no deferred fields. Each example must appear among the compiled
parameters and no two may share one (both checked); `examples_like` picks values that no constant of a query
takes (negative ids, strings in §, dates in 1901).

On PostgreSQL each such SQL text is also a prepared statement on every connection that runs it (core/postgresql):
PostgreSQL parses and plans it once per connection. These reads find rows by their key, so one plan serves all.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

_ALLOWED = (int, str, datetime.date)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[str, int, Callable[[Any, Any], Any]], ...]  # (name, position, adapt(value, ops))
    model: Any
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list
    annotations: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple[list, Any]], ...]
    for_update: bool


def _adapters(example, ops) -> list[Callable[[Any, Any], Any]]:
    """The ways a value may reach the parameters: unchanged, or adapted as the backend adapts a date/datetime."""
    ways: list[Callable[[Any, Any], Any]] = [lambda value, _ops: value]
    if isinstance(example, datetime.datetime):
        ways.append(lambda value, ops: ops.adapt_datetimefield_value(value))
    elif isinstance(example, datetime.date):
        ways.append(lambda value, ops: ops.adapt_datefield_value(value))
    return ways


class Prepared:
    """A read of model instances whose SQL is compiled once per database and process.

    `build(**values)` returns the queryset; `examples` gives one distinctive value for each name (an id no real row
    has, a string no one types), used only to find where each value sits among the compiled parameters.
    """

    def __init__(self, build: Callable[..., QuerySet], **examples):
        for name, example in examples.items():
            if isinstance(example, bool) or not isinstance(example, _ALLOWED):
                raise TypeError(f"Prepared: the example for {name!r} must be an int, a string, a date or a datetime")
        self._build = build
        self._examples = examples
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build(**self._examples)
        if queryset._iterable_class is not ModelIterable or queryset.__dict__.get("_prefetch_related_lookups"):
            raise TypeError("Prepared reads model instances without prefetch_related")
        if queryset.query.deferred_loading[0]:
            raise TypeError("Prepared reads whole rows (no only()/defer())")
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        # Compiling a SELECT ... FOR UPDATE checks for a transaction: compile it where the caller holds one
        # (every run checks it again).
        if queryset.query.select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        sql, params = compiler.as_sql()
        params = tuple(params)
        # On PostgreSQL (core/postgresql/base.py) the statement is also prepared on each connection, so that it
        # is parsed and planned once per connection rather than on every run.
        if hasattr(connection, "prepare_always"):
            connection.prepare_always(sql)
        slots = []
        for name, example in self._examples.items():
            found = None
            for adapt in _adapters(example, connection.ops):
                shown = adapt(example, connection.ops)
                positions = [i for i, p in enumerate(params) if type(p) is type(shown) and p == shown]
                if positions:
                    found = [(name, i, adapt) for i in positions]
                    break
            if not found:
                raise ValueError(f"Prepared: the value of {name!r} does not reach the SQL unchanged")
            slots.extend(found)
        if len({position for _n, position, _a in slots}) != len(slots):
            raise ValueError("Prepared: two examples share a parameter; give distinct examples")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        converters = compiler.get_converters([s[0] for s in select[0: compiler.col_count]])
        return _Compiled(
            sql=sql, params=params, slots=tuple(slots), model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]], fields_start=start, fields_end=end,
            populators=get_related_populators(klass_info, select, alias),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
            converters=tuple(converters.items()), for_update=bool(queryset.query.select_for_update),
        )

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        connection = connections[using]
        key = (using, connection.vendor)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key) or self._compile(using)
                self._compiled[key] = found
        return found

    def all(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        """The instances the queryset built from `values` would give, in its order."""
        compiled = self.compiled(using)
        connection = connections[using]
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for value in values.values():
            # No row holds an integer beyond 64 bits (the reads here are equalities); SQLite could not even take it.
            if type(value) is int and not -(2**63) <= value < 2**63:
                return []
        for name, position, adapt in compiled.slots:
            params[position] = adapt(values[name], connection.ops)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        objects = []
        for row in rows:
            if compiled.converters:
                row = list(row)
                for position, (functions, expression) in compiled.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.fields_start:compiled.fields_end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for attr, position in compiled.annotations:
                setattr(obj, attr, row[position])
            objects.append(obj)
        return objects

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any):
        """The first instance, or None (build the queryset with [:1] or a unique filter)."""
        found = self.all(using=using, **values)
        return found[0] if found else None


def prefetched(instance, name: str, rows: list) -> None:
    """Leave `rows` on `instance` as prefetch_related("name") would for a reverse foreign key: `instance.<name>.all()`
    answers them without a query, and each row's link back is `instance`."""
    instance._prefetched_objects_cache = {}
    manager = getattr(instance, name)
    link = manager.field.name
    for row in rows:
        setattr(row, link, instance)
    queryset = manager.all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    instance._prefetched_objects_cache = {name: queryset}


_SHAPES: dict[tuple, Prepared] = {}
_SHAPES_LOCK = threading.Lock()


def examples_like(**values) -> dict:
    """Distinct example values of the types of `values` that no row holds: negative ids, a string in §, dates in
    1901 (what a Prepared read needs to find where each value sits among its parameters)."""
    examples: dict[str, Any] = {}
    for i, (name, value) in enumerate(values.items()):
        if isinstance(value, bool) or not isinstance(value, _ALLOWED):
            raise TypeError(f"Prepared: the value of {name!r} must be an int, a string, a date or a datetime")
        if isinstance(value, int):
            examples[name] = -730_000 - i
        elif isinstance(value, str):
            examples[name] = f"\u00a7{name}\u00a7"
        elif isinstance(value, datetime.datetime):
            examples[name] = datetime.datetime(1901, 2, 3, 4, 5, i, tzinfo=value.tzinfo)
        else:
            examples[name] = datetime.date(1901, 2, 1 + i)
    return examples


def run(build: Callable[..., QuerySet], *shape, **values) -> list:
    """The instances `build(**values)` gives, read by SQL compiled once per process for each shape.

    The read is known by where `build` is written (its code object, so a closure made afresh on every call is the
    same read) and `shape`: whatever else changes the SQL (a scope level, a filter's field, the hooks' columns). A
    closure is compiled as its first call made it: what it captures that changes the SQL belongs in `shape`."""
    key = (build.__code__, *shape)
    found = _SHAPES.get(key)
    if found is None:
        with _SHAPES_LOCK:
            found = _SHAPES.setdefault(key, Prepared(build, **examples_like(**values)))
    return found.all(**values)

"""Gap-free serial numbers per key, safe under concurrent requests."""

from django.db import connection

from core.models import Serial


def serial_next(key: str) -> int:
    """Return the next serial for `key`; call inside the transaction that uses it.

    One statement (PostgreSQL and SQLite 3.35+): the first use of a key inserts 1, every later one adds 1 to
    the row, which stays locked until the caller's transaction ends, so two transactions never get one number
    and a rolled-back one leaves no gap.
    """
    table = connection.ops.quote_name(Serial._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "last") VALUES (%s, 1) '
            f'ON CONFLICT ("key") DO UPDATE SET "last" = {table}."last" + 1 RETURNING "last"',
            [key],
        )
        return cursor.fetchone()[0]

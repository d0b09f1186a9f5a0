"""Django's PostgreSQL backend, with the hot reads prepared on each connection.

`core.prepared` compiles the reads every counter request makes (the signed-in person, the case under its lock,
the item and its version ...) to one SQL text each and registers that text here. A registered statement is
prepared on a connection the first time it runs there (psycopg's `prepare=True`); afterwards PostgreSQL runs it
without parsing or planning it again. These reads find rows by their key, so a plan made once serves every value.
Nothing else is prepared (psycopg's automatic preparing stays off, as Django leaves it): a list's plan depends on
its values (a plan made once paged through 20,000 of the city's cases in 1.2 s instead of 80 ms).

Prepared statements need parameters bound by the server, so this backend's cursors bind on the server
(Django's `server_side_binding`) for every query. settings.DATABASES selects it (`DB_PREPARED_READS`).
"""

from django.db.backends.postgresql import base

_PREPARE: set[str] = set()  # the SQL texts to prepare, the same for every connection of the process
_NEVER_BY_COUNT = 2**31 - 1


class PreparingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and type(query) is str and query in _PREPARE:
            prepare = True
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def prepare_always(self, sql: str) -> None:
        """Prepare `sql` (exactly this text) on every connection that runs it."""
        _PREPARE.add(sql)

    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = PreparingCursor
        # psycopg prepares nothing when the threshold is None, not even what is asked for: a threshold no
        # statement reaches keeps its automatic preparing off and lets the registered reads be prepared.
        params["prepare_threshold"] = _NEVER_BY_COUNT
        return params

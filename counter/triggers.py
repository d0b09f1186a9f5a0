"""The window's case counts (counter.CaseCount) kept by the database: a trigger on counter_case adds one to the
(window, state) row a case enters and takes one from the row it leaves, in the statement that writes the case
(an intake's INSERT, a decision's UPDATE, a DELETE), so that no decision spends a query of its own on them and no
write of any kind (a service, a data fix in SQL, a bulk load with triggers on) can leave them wrong.

The same rules in PostgreSQL (one PL/pgSQL function) and SQLite (three triggers). Rows are taken in the order of
their state, whichever way a case moves, so two decisions at one window never wait for each other in a circle.
Installed by migration 0007 and again after every `migrate` (counter.apps), idempotently; a bulk load that turns
triggers off (bench/cityyear.py, session_replication_role = replica) rebuilds the counts afterwards with
`counter.services.case_counts_rebuild`.
"""

TABLE, COUNTS = "counter_case", "counter_casecount"
NAME = "counter_case_counts"
_UPSERT = (f"INSERT INTO {COUNTS} (city_id, county_id, station_id, window_id, status, n) "
           "VALUES ({row}.city_id, {row}.county_id, {row}.station_id, {row}.window_id, {row}.status, {step}) "
           f"ON CONFLICT (window_id, status) DO UPDATE SET n = {COUNTS}.n + {{step}}")

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_UPSERT.format(row="NEW", step=1)};
  ELSIF TG_OP = 'DELETE' THEN
    {_UPSERT.format(row="OLD", step=-1)};
  ELSIF OLD.status < NEW.status OR (OLD.status = NEW.status AND OLD.window_id < NEW.window_id) THEN
    {_UPSERT.format(row="OLD", step=-1)};
    {_UPSERT.format(row="NEW", step=1)};
  ELSE
    {_UPSERT.format(row="NEW", step=1)};
    {_UPSERT.format(row="OLD", step=-1)};
  END IF;
  RETURN NULL;
END $$""",
    f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {NAME}_update ON {TABLE}",
    f"CREATE TRIGGER {NAME} AFTER INSERT OR DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {NAME}()",
    # A decision's save() writes every column: only a state (or window) that changed moves a count.
    f"""CREATE TRIGGER {NAME}_update AFTER UPDATE OF status, window_id ON {TABLE} FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.window_id IS DISTINCT FROM NEW.window_id)
  EXECUTE FUNCTION {NAME}()""",
]

SQLITE = [
    f"DROP TRIGGER IF EXISTS {NAME}_insert",
    f"DROP TRIGGER IF EXISTS {NAME}_delete",
    f"DROP TRIGGER IF EXISTS {NAME}_update",
    f"CREATE TRIGGER {NAME}_insert AFTER INSERT ON {TABLE} BEGIN {_UPSERT.format(row='NEW', step=1)}; END",
    f"CREATE TRIGGER {NAME}_delete AFTER DELETE ON {TABLE} BEGIN {_UPSERT.format(row='OLD', step=-1)}; END",
    # SQLite takes a whole database write lock per transaction: the order of the rows does not matter there.
    f"""CREATE TRIGGER {NAME}_update AFTER UPDATE OF status, window_id ON {TABLE}
  WHEN OLD.status IS NOT NEW.status OR OLD.window_id IS NOT NEW.window_id BEGIN
  {_UPSERT.format(row='OLD', step=-1)};
  {_UPSERT.format(row='NEW', step=1)};
END""",
]

REMOVE = {
    "postgresql": POSTGRESQL[1:3] + [f"DROP FUNCTION IF EXISTS {NAME}()"],
    "sqlite": SQLITE[:3],
}


def install(connection) -> None:
    """Create (or replace) the trigger on `connection`'s database."""
    statements = POSTGRESQL if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE["postgresql" if connection.vendor == "postgresql" else "sqlite"]:
            cursor.execute(sql)

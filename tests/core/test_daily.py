"""One daily command runs every recurring task once, in order; running it again changes nothing more."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core import jobs


def test_it_lists_the_tasks_of_every_app_in_order():
    out = io.StringIO()
    call_command("daily", "--list", stdout=out)

    names = [line.split()[1].rstrip(":") for line in out.getvalue().splitlines()]
    assert names == ["deadlines_refresh", "ratings_default", "follow_ups_escalate", "window_days"]


def test_it_runs_them_all_and_again_finds_nothing_to_do(db):
    first, second = io.StringIO(), io.StringIO()
    call_command("daily", stdout=first)
    call_command("daily", stdout=second)

    for out in (first, second):
        lines = out.getvalue().splitlines()
        assert [line.split(":")[0] for line in lines] == ["deadlines_refresh", "ratings_default",
                                                         "follow_ups_escalate", "window_days"]
    assert "0 default rating(s)" in second.getvalue() and "0 follow-up(s) escalated" in second.getvalue()


def test_an_unknown_task_is_named(db):
    with pytest.raises(CommandError) as refused:
        call_command("daily", "--only", "nightly_backup")
    assert "nightly_backup" in str(refused.value)


def test_a_failing_task_does_not_stop_the_others_and_cron_sees_the_failure(db, monkeypatch):
    ran = []

    def broken() -> int:
        raise RuntimeError("calendar table locked")

    monkeypatch.setitem(jobs._TASKS, "a_broken_task", jobs.DailyTask("a_broken_task", 5, broken, "x", str))
    monkeypatch.setitem(jobs._TASKS, "z_last_task", jobs.DailyTask("z_last_task", 99, lambda: ran.append(1) or 1,
                                                                    "y", lambda n: f"z_last_task: {n}"))
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("daily", stdout=io.StringIO(), stderr=err)

    assert ran == [1]
    assert "a_broken_task" in str(failed.value) and "calendar table locked" in err.getvalue()

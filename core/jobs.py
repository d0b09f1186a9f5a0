"""The recurring work, run once a day by one idempotent command (`manage.py daily`, from cron).

Each app registers its tasks in its `AppConfig.ready()`; `daily` runs them in `order`. A task must be
idempotent (running it twice, or after a crash half-way, changes nothing more) and returns how many
records it changed, which the command prints.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DailyTask:
    name: str
    order: int
    run: Callable[[], int]
    doc: str
    report: Callable[[int], str]  # what the command prints for how many records the run changed


_TASKS: dict[str, DailyTask] = {}


def daily_task_register(name: str, *, order: int, run: Callable[[], int], doc: str,
                        report: Callable[[int], str] | None = None) -> DailyTask:
    task = DailyTask(name=name, order=order, run=run, doc=doc,
                     report=report or (lambda n: f"{name}: {n}"))
    _TASKS[name] = task
    return task


def daily_tasks() -> list[DailyTask]:
    """Every registered task, in the order `daily` runs them."""
    return sorted(_TASKS.values(), key=lambda t: (t.order, t.name))

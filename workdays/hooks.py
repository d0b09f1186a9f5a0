"""What the calendar lets the apps above it do (see core.hooks).

deadlines_refresh  published when a year's official schedule is entered (and by the daily job): every
                   app recomputes the deadlines it computed provisionally (weekends only, the year not
                   entered then) and returns (what, how many changed), e.g. ("办件承诺办结日期", 3).
                   R6 asks that deadlines follow the official calendar, so it is required.
"""

from core.hooks import Hook

deadlines_refresh = Hook(
    "workdays.deadlines_refresh", required=True,
    doc="R6: provisional deadlines are recomputed once their year is entered; counter and evaluations subscribe.",
)

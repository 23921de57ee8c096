"""The dashboard's rollup: the figures of the records of each center and month (Tokyo time),
kept by PostgreSQL itself in the same transaction as every write that changes them.

A page over twelve months at a million reports read 170,000 reports to count them and sort
their hours (786 ms); it now sums a few hundred rows of these tallies, however many reports
there are. The triggers that keep them (migration 0001_rollup) fire on every statement
that writes reports, their behaviours or their support follow-ups, whichever code runs it
(a service, a bulk load, an update of many rows, the admin), so no write path can forget
them; ``dashboard_tallies_rebuild()`` (the command ``dashboard_rebuild``) computes them
again from the reports, and tests/dashboard/test_rollup.py checks after every kind of write
that the tallies equal that computation.

A report counts from the statement that gives it its reference number (report_submit's
last, under the reference counter's lock): the rows of its center's current month are
then locked from there to the commit only, as the counter's is."""

from __future__ import annotations

from django.db import models

from accounts.models import TestCenter
from policy.models import Category


class CenterMonthTally(models.Model):
    """What every tally is kept by: a center and a month (its first day, in Tokyo). The
    center is not a database constraint nor indexed alone: the triggers write these rows in
    the reports' own statements, and each tally's unique constraint leads with both."""

    center = models.ForeignKey(
        TestCenter, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()

    class Meta:
        abstract = True


class MonthTally(CenterMonthTally):
    """The records submitted at a center in a month, and what the dashboard counts of them."""

    reports = models.IntegerField(db_default=0)
    critical = models.IntegerField(db_default=0)
    high = models.IntegerField(db_default=0)
    medium = models.IntegerField(db_default=0)
    low = models.IntegerField(db_default=0)
    asked_support = models.IntegerField(db_default=0)
    support_followed_up = models.IntegerField(db_default=0)
    asked_advice = models.IntegerField(db_default=0)
    triaged = models.IntegerField(db_default=0)
    decided = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            # The triggers' upsert, and the dashboard's read of a period (center, month range).
            models.UniqueConstraint(fields=["center", "month"], name="month_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m}: {self.reports}"


class CategoryTally(CenterMonthTally):
    """The records of a center and month that name a behaviour."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    reports = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "month", "category"], name="category_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m} {self.category_id}: {self.reports}"


class Wait(models.IntegerChoices):
    TRIAGE = 1, "triage"
    DECISION = 2, "decision"


class WaitTally(CenterMonthTally):
    """How many records of a center and month waited ``tenths`` tenths of an hour from their
    submission to their triage, or to a decision: a histogram at the resolution the
    dashboard shows hours in (one decimal), so that a percentile read from it is exactly the
    figure shown (dashboard.selectors.wait_percentiles)."""

    wait = models.SmallIntegerField(choices=Wait.choices)
    tenths = models.IntegerField()  # hours × 10, rounded to the nearest
    reports = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "month", "wait", "tenths"], name="wait_tally_unique"
            )
        ]
        indexes = [
            # The last step of a percentile (dashboard.selectors.wait_percentiles): the waits
            # of one band of ten tenths, over every month and center.
            models.Index(
                fields=["wait", "tenths", "center", "month"],
                include=["reports"],
                name="wait_tally_by_tenths",
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m} {self.wait} {self.tenths}: {self.reports}"


class EscalationTally(CenterMonthTally):
    """The escalations of the records of a center and month: raised, still waiting for an
    acknowledgement (the last of each chain: one raised to the next level waits as that
    one), and acknowledged after their deadline."""

    raised = models.IntegerField(db_default=0)
    open = models.IntegerField(db_default=0)
    late = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="escalation_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m}: {self.raised}"


class DueTally(CenterMonthTally):
    """The escalations of the records of a center and month not acknowledged yet, by the day
    (Tokyo) their deadline falls on: those due before today have missed it, whatever the
    hour; today's are looked up one by one (dashboard.selectors.escalation_figures)."""

    due = models.DateField()
    waiting = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "month", "due"], name="due_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m} {self.due}: {self.waiting}"


class WaitBandTally(CenterMonthTally):
    """WaitTally summed in bands of ``width`` tenths (10 h and 1,000 h): a percentile is
    found band by band, the widest first, so that it reads a few hundred rows instead of
    every distinct wait of the period (a wait to a decision is months long, and at a million
    reports nearly every decided report's is its own row). Kept from WaitTally by a trigger
    on it (migration 0006)."""

    wait = models.SmallIntegerField(choices=Wait.choices)
    width = models.IntegerField()  # in tenths: 100 or 10,000
    band = models.IntegerField()  # tenths // width
    reports = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "month", "wait", "width", "band"], name="wait_band_tally_unique"
            )
        ]
        indexes = [
            # A band's narrower bands, over every month and center.
            models.Index(
                fields=["wait", "width", "band", "center", "month"],
                include=["reports"],
                name="wait_band_tally_by_band",
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m} {self.wait} {self.band}×{self.width}"


class RepeatTally(models.Model):
    """Repeat candidates, countable over any period of up to 36 months: for each record, how
    many months before its own its candidate's previous records (in time order) were
    submitted, in ``scope`` (0: every center; else that center alone).

    A candidate has two or more records in a period exactly when one of its records in the
    period is its second there: its previous record in the period (``since`` months before
    it), the one before that not (``before`` months, more than the period reaches back).
    Kind 2 counts records by their first and second previous records' months, kind 3 by
    their second and third's (three or more). ``before`` is 36 for none, or one too long
    ago for a period to reach (dashboard.selectors.MAX_MONTHS), and only records whose ``since``
    a period can reach are counted."""

    scope = models.BigIntegerField()  # 0, or a center's id
    month = models.DateField()
    kind = models.SmallIntegerField()  # 2 or 3 records or more
    since = models.SmallIntegerField()
    before = models.SmallIntegerField()
    candidates = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "month", "kind", "since", "before"], name="repeat_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m} {self.kind}: {self.candidates}"

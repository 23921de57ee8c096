"""A realistic data set for the benchmark (issue 12) and for the tests that check query plans:
ten years of a two-center network's reports, with their candidates, case files, categories,
timeline, escalations, notifications, e-mails and decisions, as the services would have left
them.

Loaded with COPY (psycopg's ``cursor.copy``) in the caller's transaction: a million reports in
minutes, twenty thousand in seconds. Run it after ``seed_demo`` (it needs the demo centers,
users, policy, categories and escalation rules) through ``manage.py generate_bench_data``, or
call :func:`generate` from a test. The same ``seed`` gives the same reports.

Only for development and benchmark databases: it writes rows directly, not through the
services, so everything the services would keep consistent is computed here (reference numbers
and their counters, the severity suggested from the categories, who each rule tells, the case
file's risk level and status)."""

from __future__ import annotations

import bisect
import json
import queue
import random
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Role, TestCenter, User
from outbox.models import Email
from policy.models import Category, PolicyVersion, PolicyVersionStatus, Severity

from .models import (
    Candidate,
    CaseFile,
    Decision,
    DecisionCategory,
    Escalation,
    EscalationRule,
    EventKind,
    IncidentReport,
    Notification,
    RepeatEscalation,
    ReportCategory,
    ReporterNotice,
    TimelineEvent,
)
from .rules import suggest_severity

TOKYO = ZoneInfo("Asia/Tokyo")
DEMO_CENTERS = ("TKY01", "OSA01")
YEARS = 10
# A load this large drops the plain (non-unique) indexes of the tables it fills and builds
# them again afterwards: one sorted build is much faster than a million index insertions.
REBUILD_INDEXES_FROM = 50_000
# An unusable password (Django's mark): nobody signs in as the bench staff.
BENCH_STAFF_PASSWORD = UNUSABLE_PASSWORD_PREFIX + "bench"

# How often each behaviour is reported (the policy's categories, DESIGN.md §2): abusive
# language and persistence are everyday; violence and sexual harassment are rare.
CATEGORY_WEIGHTS = {
    "verbal_abuse": 30,
    "prolonged_detention": 18,
    "excessive_demand": 15,
    "repeated_accountability_demand": 8,
    "disobeying_instructions": 8,
    "unjustified_apology_demand": 6,
    "unauthorized_recording": 5,
    "personal_info_demand": 4,
    "credibility_damage": 4,
    "other": 4,
    "unjustified_face_to_face": 3,
    "physical_attack": 2.5,
    "sexual_harassment": 1.5,
}

# Narratives from varied sentences. 暴言 appears in some reports of abusive language and 殴 in
# some of violence, so a search for them finds a realistic few percent; 暴 and 言 alone are
# common (暴れた, 言った), which is what makes a search by single characters unselective.
JA_WHO = ("受験者が", "男性の受験者が", "女性の受験者が", "電話の相手が", "保護者が", "来場者が")
JA_WHERE = ("受付で", "試験室で", "待合室で", "電話で", "入口で", "ロッカーの前で", "窓口で")
JA_COMMON = (
    "大声で抗議した。",
    "長時間にわたり説明を求めた。",
    "試験の再実施を要求した。",
    "規定の説明に納得せず、同じことを言い続けた。",
    "上司を出せと言った。",
    "受付から離れなかった。",
    "試験結果の再採点を求めた。",
    "遅刻を認めず、時計が間違っていると言った。",
    "本人確認書類を提示せず、受験させるよう求めた。",
    "他の受験者の前で職員を責め続けた。",
    "机を叩いて暴れた。",
    "持ち込み禁止の物を預けるよう伝えたが従わなかった。",
)
JA_BY_CATEGORY = {
    "verbal_abuse": (
        "「お前は無能だ」と暴言を繰り返した。",
        "職員を罵倒し、威圧的な態度を取った。",
    ),
    "physical_attack": ("職員の腕をつかみ、殴ろうとした。", "カウンター越しに職員を殴った。"),
    "sexual_harassment": ("職員の容姿について性的な発言をした。", "職員の帰りを待ち伏せした。"),
    "prolonged_detention": ("閉館後も二時間以上居座った。", "同じ質問を何度も繰り返した。"),
    "personal_info_demand": ("職員のフルネームと住所を教えろと迫った。",),
    "unauthorized_recording": ("許可なくスマートフォンで職員を撮影した。",),
    "credibility_damage": ("センターの悪評をSNSに書き込むと言った。",),
    "disobeying_instructions": ("立入禁止の事務室に入ろうとした。",),
    "unjustified_face_to_face": ("責任者との面会を理由なく求め続けた。",),
    "unjustified_apology_demand": ("土下座して謝罪しろと要求した。",),
    "repeated_accountability_demand": ("説明は済んでいるのに、毎日電話で説明を求めた。",),
    "excessive_demand": ("受験料の全額返金と交通費の支払いを求めた。",),
    "other": ("その他、業務に支障のある行為があった。",),
}
JA_END = ("スーパーバイザーが対応した。", "約30分続いた。", "他の受験者も不安そうだった。", "")
EN_WHO = ("The candidate", "A caller", "A parent", "The visitor", "A man in the queue")
EN_COMMON = (
    "shouted at the desk for twenty minutes.",
    "demanded a retest on the same day.",
    "refused to leave the check-in area.",
    "insisted on speaking to the center manager.",
    "repeated the same question over and over.",
    "complained that the rules were unfair.",
    "argued about arriving late for the exam.",
    "would not show an identity document.",
)
EN_BY_CATEGORY = {
    "verbal_abuse": ("called the proctor useless and swore at her.",),
    "physical_attack": ("pushed a member of staff against the counter.",),
    "sexual_harassment": ("made remarks about a proctor's appearance.",),
    "prolonged_detention": ("stayed at the desk for two hours after closing.",),
    "personal_info_demand": ("asked for the full names of every member of staff.",),
    "unauthorized_recording": ("filmed the staff with a phone.",),
    "credibility_damage": ("threatened to post about the center online.",),
    "disobeying_instructions": ("walked into the staff office twice.",),
    "unjustified_face_to_face": ("demanded a meeting with the director.",),
    "unjustified_apology_demand": ("demanded a written apology on the spot.",),
    "repeated_accountability_demand": ("called every day to ask for the same explanation.",),
    "excessive_demand": ("asked for a full refund of the fee in cash.",),
    "other": ("disrupted the other candidates.",),
}
EN_END = ("The supervisor stepped in.", "Other candidates were upset.", "It lasted an hour.", "")
DEMANDS = (
    "再受験させろ。",
    "返金しろ。",
    "責任者を出せ。",
    "A retest today.",
    "A written apology.",
    "A refund.",
    "",
)
STAFF_RESPONSES = (
    "規定を説明し、スーパーバイザーに引き継いだ。",
    "落ち着いて話を聞き、後日回答すると伝えた。",
    "I explained the rules and called the supervisor.",
    "I asked the candidate to leave the testing room.",
)
CHANNELS = (
    ("in_person_checkin", 45),
    ("testing_room", 20),
    ("phone", 20),
    ("email", 8),
    ("social_media", 5),
    ("other", 2),
)
LOCATIONS = ("受付", "試験室A", "試験室B", "待合室", "入口", "")
EXAMS = ("基本情報技術者試験", "TOEIC", "CBT英語検定", "簿記検定", "Cisco CCNA", "")
JA_NAMES = ("山田 太郎", "鈴木 一郎", "佐々木 花子", "渡辺 健", "")
EN_RATIONALES = (
    "Repeated abusive language towards staff after a warning.",
    "行為が繰り返され、職員の就業環境が害されている。",
)


@dataclass
class _Report:
    """What is decided about a report before its rows are written (sorted by time first)."""

    center: int
    reporter: int
    created: datetime
    status: str
    categories: tuple[int, ...]
    injury: bool
    police: bool
    support: bool
    advice: bool
    english: bool
    candidate: int | None = None  # index into the candidates list
    suggested: str = ""
    severity: str = ""
    submitted: datetime | None = None
    reference: str | None = None
    id: int = 0
    # When its review started (if it did by now), and the first decision on its candidate's
    # case file after it: its timeline and the decisions say the same (IncidentReport.triaged_at).
    reviewed: datetime | None = None
    triaged: datetime | None = None
    decided: datetime | None = None


@dataclass
class _Candidate:
    candidate_id: str
    reports: list[_Report] = field(default_factory=list)
    id: int = 0
    decided: datetime | None = None  # when a decision on its case file was proposed


class _Loader:
    """Writes rows of one model with COPY, each row given as {field name: value}; a field not
    given takes the model's default, so columns added by later migrations are filled too."""

    def __init__(self, cursor, model: type[models.Model], names: Iterable[str], *_parallel):
        self.given = set(names)
        # A column with a database default takes it unless given; a generated one is computed.
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.GeneratedField)
            and (f.db_default is models.NOT_PROVIDED or f.name in self.given)
        ]
        self.defaults = {
            f.name: _db_value(f.get_default()) for f in self.fields if f.name not in self.given
        }
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.copy_sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
        self.cursor = cursor
        self.names = [f.name for f in self.fields]
        self.rows = 0

    def __enter__(self) -> _Loader:
        self.copy = self.cursor.copy(self.copy_sql)
        self.writer = self.copy.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.copy.__exit__(*exc)

    def write(self, values: dict) -> None:
        defaults = self.defaults
        self.writer.write_row(
            [values[name] if name in values else defaults[name] for name in self.names]
        )
        self.rows += 1


class _ParallelLoader(_Loader):
    """A _Loader whose rows go, in chunks, to ``workers`` connections of their own, each in a
    thread running one COPY and committing at the end."""

    CHUNK = 2_000

    def __init__(self, cursor, model, names, workers: int, skip_history: bool):
        super().__init__(cursor, model, names)
        self.sql = self.copy_sql
        self.queues = [queue.Queue(maxsize=8) for _ in range(workers)]
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._work, args=(q, skip_history), daemon=True)
            for q in self.queues
        ]
        self.chunk: list[list] = []
        self.sent = 0

    def __enter__(self) -> _ParallelLoader:
        for thread in self.threads:
            thread.start()
        return self

    def _work(self, rows: queue.Queue, skip_history: bool) -> None:
        params = connection.settings_dict
        try:
            with psycopg.connect(
                dbname=params["NAME"],
                host=params["HOST"] or None,
                port=params["PORT"] or None,
                user=params["USER"] or None,
                password=params["PASSWORD"] or None,
            ) as worker:
                with worker.cursor() as cursor:
                    if skip_history:
                        cursor.execute("SET session_replication_role = replica")
                    with cursor.copy(self.sql) as copy:
                        for chunk in iter(rows.get, None):
                            for row in chunk:
                                copy.write_row(row)
                worker.commit()
        except Exception as error:  # noqa: BLE001  (raised again by __exit__, in the caller's thread)
            self.errors.append(error)
            for _ in iter(rows.get, None):  # let the producer finish
                pass

    def write(self, values: dict) -> None:
        defaults = self.defaults
        self.chunk.append([values[n] if n in values else defaults[n] for n in self.names])
        self.rows += 1
        if len(self.chunk) >= self.CHUNK:
            self._send()

    def _send(self) -> None:
        self.queues[self.sent % len(self.queues)].put(self.chunk)
        self.sent += 1
        self.chunk = []

    def __exit__(self, *exc) -> None:
        if self.chunk:
            self._send()
        for rows in self.queues:
            rows.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors and exc[0] is None:
            raise self.errors[0]


def _db_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        if total:
            width = 30
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            line = f"\r{stage:<22} [{bar}] {done:>10,}/{total:,}  {elapsed:6.0f} s"
        else:
            line = f"\r{stage:<22} {elapsed:6.0f} s" + " " * 40
        sys.stderr.write(line + ("\n" if done is None or done == total else ""))
        sys.stderr.flush()


def generate(
    *,
    reports: int,
    seed: int = 1,
    progress: bool = False,
    skip_history: bool = False,
    parallel: int = 1,
    now: datetime | None = None,
) -> dict[str, int]:
    """Add ``reports`` reports (and all that goes with them) to a database that holds the demo
    data. Runs in one transaction (the caller's, if any). Returns the rows written per table.

    ``skip_history``: do not fire triggers while loading (``session_replication_role =
    replica``, which needs a superuser): the database-level change history (pghistory's
    triggers) would double the load, and the benchmark's database has no auditor. It also
    silences the foreign-key and ``record_has_reference`` triggers, so the rows below are
    built to satisfy them; CHECK and UNIQUE constraints still apply. Only for a throwaway
    benchmark database.

    ``parallel``: load the reports over this many extra connections, each committing on its
    own. PostgreSQL computes every report's search tokens (a generated column, about a
    millisecond per report) in the backend that inserts it, so one connection keeps one
    core busy and a million reports take half an hour; two take half that. Only outside a
    transaction, on a benchmark database: a failed load can leave reports behind."""
    if parallel > 1 and (connection.in_atomic_block or not skip_history):
        # Its connections could not see the users this one writes (nor wait for them: this
        # one waits for them), so the foreign-key triggers must be off too.
        raise ValueError("a parallel load needs skip_history and no transaction around it")
    report_progress = _Progress(progress)
    dropped: list[tuple[str, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        generator = _Generator(
            cursor.cursor,
            random.Random(seed),  # noqa: S311  (reproducible data, not secrets)
            seed,
            now or timezone.now(),
            report_progress,
            skip_history=skip_history,
            parallel=parallel,
        )
        if reports >= REBUILD_INDEXES_FROM:
            dropped = generator.drop_indexes()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if skip_history:
                cursor.execute("SET LOCAL session_replication_role = replica")
            generator.cursor = cursor.cursor
            counts = generator.run(reports)
    finally:
        # Whatever happened, the indexes come back (with the definitions they were dropped by).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for name, definition in dropped:
                report_progress(f"index {name}"[:22])
                cursor.execute(definition)
    with transaction.atomic(), connection.cursor() as cursor:
        generator.cursor = cursor.cursor
        generator.finish()
    report_progress("done")
    return counts


class _Generator:
    def __init__(
        self,
        cursor,
        rng: random.Random,
        seed: int,
        now: datetime,
        progress,
        *,
        skip_history: bool,
        parallel: int,
    ):
        self.cursor = cursor
        self.skip_history = skip_history
        self.parallel = parallel
        self.rng = rng
        self.seed = seed
        self.now = now
        self.progress = progress
        self.counts: dict[str, int] = {}
        # Tokyo first: the larger center, with three reports in five.
        found = dict(TestCenter.objects.filter(code__in=DEMO_CENTERS).values_list("code", "pk"))
        self.centers = {code: found[code] for code in DEMO_CENTERS if code in found}
        if len(self.centers) != 2:
            raise RuntimeError("generate() needs the demo data: run seed_demo first")
        self.categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORY_WEIGHTS)}
        self.category_codes = {c.pk: code for code, c in self.categories.items()}
        self.policy = PolicyVersion.objects.filter(status=PolicyVersionStatus.PUBLISHED).first()
        self.rules = {
            rule.pk: rule
            for rule in EscalationRule.objects.filter(active=True).prefetch_related(
                "any_categories"
            )
        }
        self.overdue_rule = EscalationRule.objects.filter(
            pk__in=[r.next_level_id for r in self.rules.values() if r.next_level_id]
        ).first()
        self.managers = _role_users(Role.MANAGER)
        self.supervisors = {
            pk: _role_users(Role.SUPERVISOR, center=pk) for pk in self.centers.values()
        }
        self.emails = dict(User.objects.filter(is_active=True).values_list("pk", "email"))
        self.next_ids: dict[type[models.Model], int] = {}

    # --- ids, indexes ---------------------------------------------------------------------

    def ids(self, model: type[models.Model], count: int) -> int:
        """The first of ``count`` new ids of ``model``'s table (after the rows already there;
        the sequence is moved past them in finish())."""
        if model not in self.next_ids:
            table = model._meta.db_table  # a model's table, not input
            self.cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next_ids[model] = self.cursor.fetchone()[0]
        first = self.next_ids[model]
        self.next_ids[model] += count
        return first

    TABLES = (
        IncidentReport,
        ReportCategory,
        Candidate,
        CaseFile,
        TimelineEvent,
        Escalation,
        Notification,
        Email,
        ReporterNotice,
        Decision,
    )

    def drop_indexes(self) -> list[tuple[str, str]]:
        tables = [model._meta.db_table for model in self.TABLES]
        self.cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
            """,
            [tables],
        )
        dropped = self.cursor.fetchall()
        for name, _definition in dropped:
            self.cursor.execute(f'DROP INDEX "{name}"')
        return dropped

    # --- the plan -------------------------------------------------------------------------

    def run(self, count: int) -> dict[str, int]:
        staff = self.staff(count)
        plan = self.plan_reports(count, staff)
        candidates = self.plan_candidates(plan)
        self.number(plan)
        self.plan_moments(plan, candidates)
        self.write_candidates(candidates)
        self.write_reports(plan, candidates)
        self.write_escalations(plan, candidates)
        self.write_decisions(candidates)
        return self.counts

    def staff(self, count: int) -> dict[int, list[int]]:
        """The reporters of each center: the demo's staff and enough bench staff that each
        files a realistic few hundred reports over ten years."""
        per_center = max(4, min(300, count // 4000))
        first = self.ids(User, 2 * per_center)
        users = []
        reporters = {
            center: _role_users(Role.STAFF, center=center) for center in self.centers.values()
        }
        number = first
        with _Loader(self.cursor, User, ["id", "password", "username", "staff_code"]) as loader:
            for code, center in self.centers.items():
                for n in range(per_center):
                    username = f"bench{self.seed}.{code.lower()}.{n:04d}"
                    loader.write(
                        {
                            "id": number,
                            "password": BENCH_STAFF_PASSWORD,
                            "username": username,
                            "email": f"{username}@example.com",
                            "staff_code": f"{code[:3]}-{(self.seed * 10_000 + n) % 1_000_000:06d}",
                            "first_name": "Bench",
                            "last_name": f"{code} {n}",
                            "date_joined": self.now - timedelta(days=YEARS * 365),
                        }
                    )
                    users.append((number, center))
                    reporters[center].append(number)
                    number += 1
        first_membership = self.ids(Membership, len(users))
        with _Loader(self.cursor, Membership, ["user", "center", "role"]) as loader:
            for offset, (user, center) in enumerate(users):
                loader.write(
                    {
                        "id": first_membership + offset,
                        "user": user,
                        "center": center,
                        "role": Role.STAFF,
                    }
                )
        self.counts["users"] = len(users)
        return reporters

    def plan_reports(self, count: int, reporters: dict[int, list[int]]) -> list[_Report]:
        rng = self.rng
        start = self.now - timedelta(days=YEARS * 365)
        span = (self.now - timedelta(hours=1) - start).total_seconds()
        codes = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        centers = list(self.centers.values())
        plan = []
        for _ in range(count):
            # More reports every year (the network grows): density rising linearly in time.
            created = start + timedelta(seconds=span * rng.random() ** 0.5)
            center = centers[0] if rng.random() < 0.6 else centers[1]
            chosen = {rng.choices(codes, weights)[0] for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))}
            physical = "physical_attack" in chosen
            plan.append(
                _Report(
                    center=center,
                    reporter=rng.choice(reporters[center]),
                    created=created,
                    status="",
                    categories=tuple(sorted(self.categories[c].pk for c in chosen)),
                    injury=physical and rng.random() < 0.3,
                    police=rng.random() < (0.3 if physical else 0.01),
                    support=rng.random() < 0.08,
                    advice=rng.random() < 0.03,
                    english=rng.random() < 0.3,
                )
            )
        plan.sort(key=lambda r: r.created)
        # Statuses: the newest reports are still open (submitted or under review), a few old
        # ones too; drafts are recent and few; everything else is closed.
        for rank, report in enumerate(reversed(plan)):
            fresh = rank < 0.04 * count
            roll = rng.random()
            if roll < (0.15 if fresh else 0.005):
                report.status = "draft" if roll < (0.12 if fresh else 0.004) else "withdrawn"
            elif rng.random() < (0.8 if fresh else 0.015):
                report.status = rng.choice(("submitted", "under_review"))
            else:
                report.status = "closed"
        return plan

    def plan_candidates(self, plan: list[_Report]) -> list[_Candidate]:
        """Candidates with 1 to 50 reports each, most with one to three (the first has 50, so
        the benchmark has its case file of 50 reports); a tenth of reports name nobody (a
        caller who would not say who they were)."""
        rng = self.rng
        records = [r for r in plan if r.status not in ("draft", "withdrawn")]
        named = [r for r in records if rng.random() >= 0.1]
        sizes = range(1, 51)
        size_weights = [1 / k**2 for k in sizes]
        # Each candidate's reports lie near one moment of the ten years: a ticket per report
        # keyed by that moment plus a spread of a few months, sorted, and dealt out in order
        # to the reports sorted by time.
        candidates: list[_Candidate] = []
        tickets: list[tuple[float, int]] = []
        while len(tickets) < len(named):
            size = 50 if not candidates else rng.choices(sizes, size_weights)[0]
            size = min(size, len(named) - len(tickets))
            moment = rng.random()
            index = len(candidates)
            candidates.append(_Candidate(candidate_id=f"BN{self.seed % 1000:03d}{index:08d}"))
            tickets += [(moment + rng.gauss(0, 0.01), index) for _ in range(size)]
        tickets.sort()
        for report, (_key, index) in zip(named, tickets, strict=True):
            report.candidate = index
            candidates[index].reports.append(report)
        for candidate in candidates:
            candidate.reports.sort(key=lambda r: r.created)
        return candidates

    def number(self, plan: list[_Report]) -> None:
        """Ids in time order (as real ids are), severities, submission times and reference
        numbers in submission order per year, after the numbers the year's counter gave."""
        rng = self.rng
        first = self.ids(IncidentReport, len(plan))
        for offset, report in enumerate(plan):
            report.id = first + offset
            categories = [self.categories[self.category_codes[pk]] for pk in report.categories]
            report.suggested = suggest_severity(
                categories, injury=report.injury, police_called=report.police
            ).value
            report.severity = report.suggested
            if report.status in ("draft", "withdrawn"):
                continue
            if rng.random() < 0.05 and report.severity != Severity.CRITICAL:
                report.severity = list(Severity)[Severity(report.severity).rank + 1].value
            report.submitted = min(
                report.created + timedelta(minutes=rng.randint(5, 600)),
                self.now - timedelta(minutes=1),
            )
        self.cursor.execute("SELECT year, last_number FROM incidents_referencecounter")
        last = dict(self.cursor.fetchall())
        for report in sorted(
            (r for r in plan if r.submitted is not None), key=lambda r: r.submitted
        ):
            year = report.submitted.astimezone(TOKYO).year
            last[year] = last.get(year, 0) + 1
            report.reference = f"CH-{year}-{last[year]:06d}"
        self.counters = last

    # --- rows -----------------------------------------------------------------------------

    def plan_moments(self, plan: list[_Report], candidates: list[_Candidate]) -> None:
        """When each record's review starts and which case files get a decision, decided
        before the reports are written: a report stores both moments (triaged_at, decided_at),
        and writing a report's row a second time would compute its search tokens again.
        Most candidates with several reports got a caution, a warning or a refusal of testing
        four days after their last report; a few with one report too."""
        rng = self.rng
        for report in plan:
            if report.submitted is None:
                continue
            report.reviewed = report.submitted + timedelta(hours=rng.randint(1, 72))
            if report.status != "submitted" and report.reviewed <= self.now:
                report.triaged = report.reviewed
        for candidate in candidates:
            if rng.random() < (0.5 if len(candidate.reports) >= 3 else 0.02) and all(
                r.status == "closed" for r in candidate.reports[-1:]
            ):
                proposed_at = candidate.reports[-1].submitted + timedelta(days=4)
                if proposed_at > self.now:
                    proposed_at = self.now - timedelta(minutes=5)
                candidate.decided = proposed_at
                for report in candidate.reports:
                    if report.submitted <= proposed_at:
                        report.decided = proposed_at

    def write_candidates(self, candidates: list[_Candidate]) -> None:
        rng = self.rng
        first = self.ids(Candidate, len(candidates))
        first_case_file = self.ids(CaseFile, len(candidates))
        with _Loader(self.cursor, Candidate, ["id", "candidate_id", "name", "contact"]) as loader:
            for offset, candidate in enumerate(candidates):
                candidate.id = first + offset
                created = candidate.reports[0].submitted
                loader.write(
                    {
                        "id": candidate.id,
                        "candidate_id": candidate.candidate_id,
                        "name": rng.choice(JA_NAMES),
                        "contact": "",
                        "created_at": created,
                    }
                )
        # The case file's summary of its records, where the schema keeps one (issue 12's
        # case-file list sorts on it): what the services maintain, computed here.
        summary = {"report_count", "last_report_at", "center_ids"} & {
            f.name for f in CaseFile._meta.concrete_fields
        }
        with _Loader(
            self.cursor, CaseFile, ["id", "candidate", "status", "risk_level", *summary]
        ) as loader:
            for offset, candidate in enumerate(candidates):
                reports = candidate.reports
                open_reports = any(r.status != "closed" for r in reports)
                status = "open" if open_reports else "closed"
                if open_reports and any(r.status == "under_review" for r in reports):
                    status = "under_review"
                loader.write(
                    {
                        "id": first_case_file + offset,
                        "candidate": candidate.id,
                        "status": status,
                        "risk_level": max(
                            (r.severity for r in reports), key=lambda s: Severity(s).rank
                        ),
                        "updated_at": reports[-1].submitted,
                        "revision": len(reports),
                        "report_count": len(reports),
                        "last_report_at": reports[-1].submitted,
                        "center_ids": sorted({r.center for r in reports}),
                    }
                )
        self.case_file_of = {c.id: first_case_file + i for i, c in enumerate(candidates)}
        self.counts["candidates"] = len(candidates)
        self.counts["case files"] = len(candidates)

    def write_reports(self, plan: list[_Report], candidates: list[_Candidate]) -> None:
        rng = self.rng
        policy = self.policy.pk
        channels, channel_weights = zip(*CHANNELS, strict=True)
        names = [
            "id",
            "public_id",
            "form_token",
            "reference",
            "status",
            "reporter",
            "center",
            "occurred_at",
            "channel",
            "location",
            "exam",
            "candidate_id_entered",
            "candidate",
            "demand",
            "demand_legitimacy",
            "narrative",
            "repetitions",
            "staff_response",
            "duration_minutes",
            "injury",
            "injury_details",
            "police_called",
            "support_requested",
            "advice_requested",
            "suggested_severity",
            "severity",
            "severity_reason",
            "policy_version",
            "created_at",
            "updated_at",
            "submitted_at",
            "triaged_at",
            "decided_at",
        ]
        total = len(plan)
        loader_class = _ParallelLoader if self.parallel > 1 else _Loader
        with loader_class(
            self.cursor, IncidentReport, names, self.parallel, self.skip_history
        ) as loader:
            for done, report in enumerate(plan, 1):
                record = report.submitted is not None
                candidate = candidates[report.candidate] if report.candidate is not None else None
                narrative = self.narrative(report)
                loader.write(
                    {
                        "id": report.id,
                        "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "form_token": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "reference": report.reference,
                        "status": report.status,
                        "reporter": report.reporter,
                        "center": report.center,
                        "occurred_at": report.created - timedelta(minutes=rng.randint(10, 4000)),
                        "channel": rng.choices(channels, channel_weights)[0],
                        "location": rng.choice(LOCATIONS),
                        "exam": rng.choice(EXAMS),
                        "candidate_id_entered": candidate.candidate_id if candidate else "",
                        "candidate": candidate.id if candidate else None,
                        "demand": rng.choice(DEMANDS),
                        "demand_legitimacy": rng.choice(("no", "no", "partly", "unsure")),
                        "narrative": narrative if record or rng.random() < 0.7 else "",
                        "repetitions": rng.choice((None, 1, 3, 10)),
                        "staff_response": rng.choice(STAFF_RESPONSES),
                        "duration_minutes": rng.choice((5, 15, 30, 60, 120)),
                        "injury": report.injury,
                        "injury_details": "右腕に打撲。" if report.injury else "",
                        "police_called": report.police,
                        "support_requested": report.support,
                        "advice_requested": report.advice,
                        "suggested_severity": report.suggested if record else "",
                        "severity": report.severity if record else "",
                        "severity_reason": "職員への影響が大きいため。"
                        if record and report.severity != report.suggested
                        else "",
                        "policy_version": policy if record else None,
                        "created_at": report.created,
                        "updated_at": report.submitted or report.created,
                        "submitted_at": report.submitted,
                        "triaged_at": report.triaged,
                        "decided_at": report.decided,
                    }
                )
                if done % 10_000 == 0 or done == total:
                    self.progress("reports", done, total)
        self.counts["reports"] = total
        first = self.ids(ReportCategory, sum(len(r.categories) for r in plan))
        with _Loader(self.cursor, ReportCategory, ["id", "report", "category"]) as loader:
            for report in plan:
                for category in report.categories:
                    loader.write({"id": first, "report": report.id, "category": category})
                    first += 1
            self.counts["report categories"] = loader.rows
        self.progress("report categories")

    def narrative(self, report: _Report) -> str:
        rng = self.rng
        codes = [self.category_codes[pk] for pk in report.categories]
        if report.english:
            sentences = [f"{rng.choice(EN_WHO)} {rng.choice(EN_COMMON)}"]
            for code in codes:
                if rng.random() < 0.6:
                    sentences.append(f"{rng.choice(EN_WHO)} {rng.choice(EN_BY_CATEGORY[code])}")
            sentences += [
                f"{rng.choice(EN_WHO)} {rng.choice(EN_COMMON)}" for _ in range(rng.randint(1, 4))
            ]
            sentences.append(rng.choice(EN_END))
            return " ".join(sentences).strip()
        sentences = [rng.choice(JA_WHO) + rng.choice(JA_WHERE) + rng.choice(JA_COMMON)]
        for code in codes:
            if rng.random() < 0.4:
                sentences.append(rng.choice(JA_BY_CATEGORY[code]))
        sentences += [rng.choice(JA_COMMON) for _ in range(rng.randint(2, 6))]
        sentences.append(rng.choice(JA_END))
        return "".join(sentences)

    # --- escalations, notifications, timeline --------------------------------------------------

    def recipients(self, rule: EscalationRule, report: _Report) -> list[int]:
        """Whom ``rule`` tells of ``report`` (as accounts.policy.recipient_ids decides)."""
        key = (rule.pk, report.center)
        cache = self.__dict__.setdefault("_recipients", {})
        if key not in cache:
            from accounts.policy import recipient_ids

            cache[key] = sorted(recipient_ids(rule.recipient_roles, report.center))
        return [pk for pk in cache[key] if pk != report.reporter]

    def fired_rules(self, report: _Report, repeat_crossed: bool) -> list[EscalationRule]:
        fired = []
        categories = set(report.categories)
        for rule in self.rules.values():
            if rule.is_repeat_rule:
                if repeat_crossed:
                    fired.append(rule)
                continue
            if (
                (
                    rule.min_severity
                    and Severity(report.severity).rank >= Severity(rule.min_severity).rank
                )
                or categories & {c.pk for c in rule.any_categories.all()}
                or (rule.on_injury and report.injury)
                or (rule.on_police and report.police)
                or (rule.on_support and report.support)
                or (rule.on_advice and report.advice)
            ):
                fired.append(rule)
        return fired

    def write_escalations(self, plan: list[_Report], candidates: list[_Candidate]) -> None:
        rng = self.rng
        repeat_rule = next((r for r in self.rules.values() if r.is_repeat_rule), None)
        crossing: set[int] = set()  # ids of reports at which a candidate crossed the threshold
        if repeat_rule is not None:
            window = timedelta(days=repeat_rule.repeat_days)
            for candidate in candidates:
                times = [r.submitted for r in candidate.reports]
                for index, report in enumerate(candidate.reports):
                    low = bisect.bisect_left(times, report.submitted - window)
                    if index + 1 - low >= repeat_rule.repeat_count:
                        crossing.add(report.id)
                        break
        escalation_id = self.ids(Escalation, 0)
        notification_id = self.ids(Notification, 0)
        email_id = self.ids(Email, 0)
        event_id = self.ids(TimelineEvent, 0)
        notice_id = self.ids(ReporterNotice, 0)
        repeat_id = self.ids(RepeatEscalation, 0)
        old = self.now - timedelta(days=14)
        # One COPY at a time per connection: escalations, notifications and e-mails are
        # collected per batch and written table by table.
        pending: dict[str, list[dict]] = defaultdict(list)

        def flush() -> None:
            for model, key in (
                (Escalation, "escalations"),
                (Notification, "notifications"),
                (Email, "emails"),
                (RepeatEscalation, "repeats"),
                (TimelineEvent, "events"),
                (ReporterNotice, "notices"),
            ):
                rows = pending.pop(key, [])
                if rows:
                    with _Loader(self.cursor, model, rows[0]) as loader:
                        for row in rows:
                            loader.write(row)
                    self.counts[key] = self.counts.get(key, 0) + len(rows)

        total = len(plan)
        for done, report in enumerate(plan, 1):
            if report.submitted is None:
                continue
            case_file = (
                self.case_file_of[candidates[report.candidate].id]
                if report.candidate is not None
                else None
            )
            events = pending["events"]
            if case_file is not None and candidates[report.candidate].reports[0] is report:
                events.append(
                    _event(
                        event_id, EventKind.CASE_FILE_OPENED, report, case_file, report.submitted
                    )
                )
                event_id += 1
            events.append(
                _event(event_id, EventKind.REPORT_SUBMITTED, report, case_file, report.submitted)
            )
            event_id += 1
            supervisor = self.supervisors[report.center][0]
            reviewed = report.reviewed
            for kind, reached, at in (
                (EventKind.REPORT_UNDER_REVIEW, report.status != "submitted", reviewed),
                (EventKind.REPORT_CLOSED, report.status == "closed", reviewed + timedelta(days=3)),
            ):
                if not reached or at > self.now:
                    continue
                events.append(_event(event_id, kind, report, case_file, at, actor=supervisor))
                event_id += 1
                pending["notices"].append(
                    {
                        "id": notice_id,
                        "recipient": report.reporter,
                        "report": report.id,
                        "kind": kind,
                        "created_at": at,
                        "read_at": at + timedelta(hours=rng.randint(1, 48)) if at < old else None,
                    }
                )
                notice_id += 1
            for rule in self.fired_rules(report, report.id in crossing):
                previous = None
                level_rule = rule
                raised_at = report.submitted
                while level_rule is not None:
                    recipients = self.recipients(level_rule, report)
                    deadline = (
                        raised_at + timedelta(minutes=level_rule.ack_minutes)
                        if level_rule.ack_minutes
                        else None
                    )
                    acknowledged = bool(recipients) and rng.random() < (
                        0.97 if raised_at < old else 0.5
                    )
                    ack_by = rng.choice(recipients) if acknowledged else None
                    ack_at = None
                    if acknowledged:
                        limit = (deadline - raised_at) if deadline else timedelta(hours=48)
                        ack_at = raised_at + limit * rng.uniform(0.05, 0.95)
                        if ack_at > self.now:
                            ack_by = ack_at = None
                    pending["escalations"].append(
                        {
                            "id": escalation_id,
                            "report": report.id,
                            "case_file": case_file,
                            "rule": level_rule.pk,
                            "previous": previous,
                            "created_at": raised_at,
                            "ack_deadline": deadline,
                            "acknowledged_at": ack_at,
                            "acknowledged_by": ack_by,
                            "ack_note": "",
                        }
                    )
                    if level_rule.is_repeat_rule and case_file is not None:
                        pending["repeats"].append(
                            {
                                "id": repeat_id,
                                "case_file": case_file,
                                "rule": level_rule.pk,
                                "escalation": escalation_id,
                            }
                        )
                        repeat_id += 1
                    kind = EventKind.ESCALATED_NEXT_LEVEL if previous else EventKind.ESCALATED
                    events.append(
                        _event(
                            event_id,
                            kind,
                            report,
                            case_file,
                            raised_at,
                            details={"rule": level_rule.pk},
                        )
                    )
                    event_id += 1
                    if ack_at is not None:
                        events.append(
                            _event(
                                event_id,
                                EventKind.ESCALATION_ACKNOWLEDGED,
                                report,
                                case_file,
                                ack_at,
                                actor=ack_by,
                            )
                        )
                        event_id += 1
                    for recipient in recipients:
                        # Acknowledging an escalation settles every recipient's notification
                        # of it (issue 12: they no longer pile up unread); an open one waits.
                        read_at = ack_at
                        pending["notifications"].append(
                            {
                                "id": notification_id,
                                "escalation": escalation_id,
                                "report": report.id,
                                "recipient": recipient,
                                "email": "",
                                "channel": "portal",
                                "created_at": raised_at,
                                "read_at": read_at,
                                "outbox_email": None,
                            }
                        )
                        notification_id += 1
                        address = self.emails.get(recipient)
                        if not address:
                            continue
                        sent = raised_at + timedelta(seconds=rng.uniform(0.3, 3))
                        pending["emails"].append(
                            {
                                "id": email_id,
                                "key": f"notification:{notification_id}",
                                "to": address,
                                "subject": f"[エスカレーション] {report.reference}",
                                "body_text": f"{report.reference} がエスカレーションされました。",
                                "message_id": f"<bench-{self.seed}-{email_id}@portal.invalid>",
                                "status": "sent",
                                "created_at": raised_at,
                                "next_attempt_at": raised_at,
                                "retrying_since": raised_at,
                                "queued_at": raised_at,
                                "last_attempt_at": sent,
                                "last_outcome": "sent",
                                "attempts": 1,
                                "sent_at": sent,
                            }
                        )
                        pending["notifications"].append(
                            {
                                "id": notification_id,
                                "escalation": escalation_id,
                                "report": report.id,
                                "recipient": recipient,
                                "email": "",
                                "channel": "email",
                                "created_at": raised_at,
                                "read_at": read_at,
                                "outbox_email": email_id,
                            }
                        )
                        notification_id += 1
                        email_id += 1
                    previous = escalation_id
                    escalation_id += 1
                    # Nobody acknowledged it in time: the sweep raised it to the next level.
                    overdue = deadline is not None and ack_at is None and deadline < self.now
                    if not overdue or level_rule.next_level_id is None:
                        break
                    level_rule = self.rules.get(level_rule.next_level_id) or self.overdue_rule
                    raised_at = deadline + timedelta(minutes=1)
            if len(pending["notifications"]) > 20_000 or done == total:
                flush()
                self.progress("escalations", done, total)
        flush()
        self.next_ids.update(
            {
                Escalation: escalation_id,
                Notification: notification_id,
                Email: email_id,
                TimelineEvent: event_id,
                ReporterNotice: notice_id,
                RepeatEscalation: repeat_id,
            }
        )

    def write_decisions(self, candidates: list[_Candidate]) -> None:
        """The decisions planned in plan_moments (a refusal of testing approved by a manager,
        as the two-person rule requires)."""
        rng = self.rng
        manager = self.managers[0]
        chosen = [c for c in candidates if c.decided is not None]
        first = self.ids(Decision, len(chosen))
        first_category = self.ids(DecisionCategory, len(chosen))
        event_id = self.ids(TimelineEvent, 2 * len(chosen))
        events = []
        today = timezone.localdate(self.now)
        with _Loader(
            self.cursor,
            Decision,
            ["id", "case_file", "outcome", "state", "rationale", "proposed_by", "decided_by"],
        ) as loader:
            for offset, candidate in enumerate(chosen):
                last = candidate.reports[-1]
                proposed_at = candidate.decided
                outcome = rng.choices(
                    ("caution", "written_warning", "testing_refused", "no_action"), (4, 3, 2, 1)
                )[0]
                supervisor = self.supervisors[last.center][0]
                refused = outcome == "testing_refused"
                starts = timezone.localdate(proposed_at) if refused else None
                ends = starts + timedelta(days=rng.choice((180, 365, 730))) if refused else None
                state = "expired" if refused and ends < today else "in_force"
                decided_by = manager if refused else supervisor
                case_file = self.case_file_of[candidate.id]
                loader.write(
                    {
                        "id": first + offset,
                        "case_file": case_file,
                        "outcome": outcome,
                        "state": state,
                        "demand_legitimacy": "no",
                        "manner": "inappropriate",
                        "rationale": rng.choice(EN_RATIONALES),
                        "policy_version": self.policy.pk,
                        "starts_on": starts,
                        "ends_on": ends,
                        "scope": "all_centers" if refused else "",
                        "proposed_by": supervisor,
                        "proposed_at": proposed_at,
                        "decided_by": decided_by,
                        "decided_at": proposed_at + timedelta(hours=2 if refused else 0),
                        "ended_at": datetime.combine(ends, datetime.min.time(), TOKYO)
                        if state == "expired"
                        else None,
                    }
                )
                for kind, actor in (
                    (EventKind.DECISION_PROPOSED, supervisor),
                    (EventKind.DECISION_IN_FORCE, decided_by),
                ):
                    events.append(
                        {
                            "id": event_id,
                            "kind": kind,
                            "report": None,
                            "case_file": case_file,
                            "decision": first + offset,
                            "actor": actor,
                            "details": "{}",
                            "created_at": proposed_at,
                        }
                    )
                    event_id += 1
        with _Loader(self.cursor, DecisionCategory, ["id", "decision", "category"]) as loader:
            for offset, candidate in enumerate(chosen):
                category = candidate.reports[-1].categories[0]
                loader.write(
                    {
                        "id": first_category + offset,
                        "decision": first + offset,
                        "category": category,
                    }
                )
        if events:
            with _Loader(self.cursor, TimelineEvent, events[0]) as loader:
                for event in events:
                    loader.write(event)
        self.counts["decisions"] = len(chosen)
        self.progress("decisions")

    def finish(self) -> None:
        """Sequences past the new ids, the reference counters past the new numbers, the
        dashboard's rollup, and fresh planner statistics."""
        for model, next_id in self.next_ids.items():
            # The next nextval() gives next_id (is_called false).
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                [model._meta.db_table, next_id],
            )
        for year, last_number in self.counters.items():
            self.cursor.execute(
                """
                INSERT INTO incidents_referencecounter (year, last_number) VALUES (%s, %s)
                ON CONFLICT (year) DO UPDATE SET last_number = greatest(
                    incidents_referencecounter.last_number, EXCLUDED.last_number)
                """,
                [year, last_number],
            )
        if self.skip_history:
            # The load fired no trigger, the dashboard's rollup's neither (dashboard/models.py):
            # it is computed again from the reports.
            self.cursor.execute("SELECT dashboard_tallies_rebuild()")
        for model in self.TABLES:
            self.cursor.execute(f"ANALYZE {model._meta.db_table}")


def _event(
    event_id: int,
    kind: str,
    report: _Report,
    case_file: int | None,
    at: datetime,
    *,
    actor: int | None = None,
    details: dict | None = None,
) -> dict:
    return {
        "id": event_id,
        "kind": kind,
        "report": report.id,
        "case_file": case_file,
        "actor": actor if actor is not None else (None if details else report.reporter),
        "details": json.dumps(details or {}),
        "created_at": at,
    }


def _role_users(role: str, center: int | None = None) -> list[int]:
    memberships = Membership.objects.filter(role=role, user__is_active=True)
    if center is not None:
        memberships = memberships.filter(center_id=center)
    return sorted(memberships.values_list("user_id", flat=True))

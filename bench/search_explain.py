"""Proof that the free-text search of reports finds one- and two-character Japanese terms
through its GIN index, not a table scan (DESIGN.md §9).

    .venv/bin/python bench/search_explain.py [--reports 100000]

Creates a throwaway database (``harassment_portal_bench``) on the server of DATABASE_URL,
migrates it, loads N reports with Japanese and English narratives, and for 暴言, 殴 and
"refund" prints the plan of ``incidents.search.search_reports`` (EXPLAIN ANALYZE, BUFFERS)
and its time next to a sequential ``narrative LIKE '%term%'``. The database is dropped at
the end, whatever happens. Exits 1 if a search did not use the index ``report_search_tokens``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "harassment_portal_bench"
BATCH = 5000
TERMS = ("暴言", "殴", "refund")
RUNS = 5  # timings are the median of this many warm runs

# Narratives drawn from a small vocabulary. 暴 and 言 are each common (暴れた, 言った) while
# 暴言 is rare, so a search by single characters would be unselective and one by pairs is not.
JA_WHO = ("受験者が", "男性の受験者が", "女性の受験者が", "電話の相手が", "保護者が", "来場者が")
JA_WHERE = ("受付で", "試験室で", "待合室で", "電話で", "入口で", "ロッカーの前で")
JA_WHAT = (
    "大声で抗議した。",
    "長時間にわたり説明を求めた。",
    "試験の再実施を要求した。",
    "受験料の返金を繰り返し求めた。",
    "スタッフの名前を聞き出そうとした。",
    "机を叩いて暴れた。",
    "スマートフォンでスタッフを撮影した。",
    "規定の説明に納得せず、同じことを言い続けた。",
    "上司を出せと言った。",
    "受付から離れなかった。",
    "試験結果の再採点を求めた。",
    "遅刻を認めず、時計が間違っていると言った。",
)
JA_RARE = ("暴言を繰り返した。", "スタッフを殴ろうとした。", "壁を殴った。")
JA_END = ("スーパーバイザーが対応した。", "約30分続いた。", "他の受験者も不安そうだった。", "")
EN_WHO = ("The candidate", "A caller", "A parent", "The visitor", "A man in the queue")
EN_WHAT = (
    "shouted at the desk for twenty minutes.",
    "demanded a retest on the same day.",
    "refused to leave the check-in area.",
    "filmed the staff with a phone.",
    "insisted on speaking to the center manager.",
    "repeated the same question over and over.",
    "threatened to post about the center online.",
    "complained that the rules were unfair.",
    "argued about arriving late for the exam.",
    "asked for the names of every member of staff.",
)
EN_RARE = ("asked for a full refund of the fee.", "wanted the refund paid in cash at once.")
EN_END = ("The supervisor stepped in.", "Other candidates were upset.", "It lasted an hour.", "")
DEMANDS = ("再受験させろ。", "返金しろ。", "A retest today.", "A written apology.", "")
SEVERITIES = ("low", "medium", "medium", "high", "high", "critical")
STATUSES = ("submitted", "under_review", "closed", "closed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000, help="how many reports to load")
    parser.add_argument(
        "--database",
        help="explain the searches on this existing database (such as make bench's), "
        "without loading anything",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.development")
    from django.conf import settings

    if args.database:
        settings.DATABASES["default"]["NAME"] = args.database
        import django

        django.setup()
        from incidents.models import IncidentReport

        return _explain(IncidentReport.objects.count())
    server = dict(settings.DATABASES["default"])
    # A plain `kill` ends the run through the finally below, which drops the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _recreate_database(server)
    try:
        # Before django.setup(): every connection Django opens goes to the bench database.
        settings.DATABASES["default"]["NAME"] = BENCH_DATABASE
        import django

        django.setup()
        return _bench(args.reports)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(server)
        print(f"\nDropped the database {BENCH_DATABASE}.")


def _bench(count: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated {BENCH_DATABASE} in {time.perf_counter() - started:.1f} s.")

    started = time.perf_counter()
    _load_reports(count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incidentreport")
    print(f"Loaded and analysed {count:,} reports in {time.perf_counter() - started:.1f} s.")
    return _explain(count)


def _explain(count: int) -> int:
    from incidents.models import IncidentReport
    from incidents.search import search_reports

    all_reports = IncidentReport.objects.all()
    failures = []
    for term in TERMS:
        searched = search_reports(all_reports, term)
        scanned = all_reports.filter(narrative__contains=term)  # LIKE '%term%': a table scan
        plan = searched.explain(analyze=True, buffers=True)
        found = searched.count()
        search_ms = _median_ms(searched)
        scan_ms = _median_ms(scanned)
        print(f"\n=== search_reports(…, {term!r}): {found:,} of {count:,} reports ===")
        print(plan)
        print(f"\nplan nodes:  {' → '.join(_nodes(plan))}")
        print(f"search (GIN index): {search_ms:8.2f} ms   (median of {RUNS}, all matching ids)")
        print(f"narrative LIKE:     {scan_ms:8.2f} ms   ({' → '.join(_nodes(scanned.explain()))})")
        print(f"ratio:              {scan_ms / search_ms:8.1f} × faster through the index")
        if "report_search_tokens" not in plan:
            failures.append(term)

    if failures:
        print(f"\nFAILED: no GIN index scan for {', '.join(failures)}")
        return 1
    print("\nEvery search used the GIN index report_search_tokens.")
    return 0


def _load_reports(count: int) -> None:
    """``count`` submitted reports, bulk-inserted. The GIN index is dropped during the load and
    built again from its own definition afterwards, as one would for any bulk load."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import TestCenter
    from incidents.models import IncidentReport
    from policy.models import PolicyVersion

    rng = random.Random(2026)  # the same reports on every run
    now = timezone.now()
    center = TestCenter.objects.create(
        code="BENCH01", name_ja="ベンチ会場", name_en="Bench center", region="Kanto"
    )
    reporter = get_user_model().objects.create(username="bench.staff", staff_code="BEN-0001")
    policy = PolicyVersion.objects.create(
        number=1,
        status="published",
        title_ja="ベンチ用方針",
        title_en="Bench policy",
        effective_date=now.date(),
        published_at=now,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'report_search_tokens'")
        (index_definition,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX report_search_tokens")
    for start in range(0, count, BATCH):
        reports = []
        for number in range(start, min(start + BATCH, count)):
            submitted = now - timedelta(minutes=rng.randrange(1, 3 * 365 * 24 * 60))
            severity = rng.choice(SEVERITIES)
            narrative, demand = _text(rng)
            reports.append(
                IncidentReport(
                    form_token=uuid.uuid4(),
                    reference=f"CH-{2026 - number // 999_999}-{number % 999_999 + 1:06d}",
                    status=rng.choice(STATUSES),
                    reporter=reporter,
                    center=center,
                    occurred_at=submitted - timedelta(minutes=30),
                    submitted_at=submitted,
                    channel="in_person_checkin",
                    demand=demand,
                    demand_legitimacy="no",
                    narrative=narrative,
                    severity=severity,
                    suggested_severity=severity,
                    policy_version=policy,
                    support_requested=rng.random() < 0.1,
                )
            )
        IncidentReport.objects.bulk_create(reports)
        if sys.stdout.isatty():
            print(f"  {min(start + BATCH, count):>9,} reports inserted", end="\r", flush=True)
    # After the inserts are committed: their deferred foreign-key checks must run first.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(index_definition)


def _text(rng: random.Random) -> tuple[str, str]:
    """A narrative and a demand: half Japanese, half English; about 1 in 100 Japanese ones
    holds 暴言 or 殴, about 1 in 25 English ones "refund"."""
    if rng.random() < 0.5:
        sentences = [rng.choice(JA_WHO) + rng.choice(JA_WHERE) + rng.choice(JA_WHAT)]
        sentences += [rng.choice(JA_WHAT) for _ in range(rng.randrange(1, 4))]
        if rng.random() < 0.01:
            sentences.insert(rng.randrange(1, len(sentences) + 1), rng.choice(JA_RARE))
        sentences.append(rng.choice(JA_END))
        return "".join(sentences), rng.choice(DEMANDS)
    sentences = [f"{rng.choice(EN_WHO)} {rng.choice(EN_WHAT)}"]
    sentences += [f"{rng.choice(EN_WHO)} {rng.choice(EN_WHAT)}" for _ in range(rng.randrange(3))]
    if rng.random() < 0.04:
        sentences.append(f"{rng.choice(EN_WHO)} {rng.choice(EN_RARE)}")
    sentences.append(rng.choice(EN_END))
    return " ".join(sentences).strip(), rng.choice(DEMANDS)


def _median_ms(queryset) -> float:
    timings = []
    list(queryset.values_list("pk", flat=True))  # warm the cache first
    for _ in range(RUNS):
        started = time.perf_counter()
        list(queryset.values_list("pk", flat=True))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _nodes(plan: str) -> list[str]:
    """The plan's node names, outermost first (such as "Bitmap Index Scan on …")."""
    nodes = []
    for line in plan.splitlines():
        match = re.match(
            r"^\s*(?:->\s*)?([A-Z][A-Za-z ]+?(?: on \w+| using \w+ on \w+)?)\s+\(", line
        )
        if match:
            nodes.append(match[1])
    return nodes


def _maintenance(server: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=server.get("HOST") or None,
        port=server.get("PORT") or None,
        user=server.get("USER") or None,
        password=server.get("PASSWORD") or None,
        autocommit=True,
    )


def _recreate_database(
    server: dict, name: str = BENCH_DATABASE, template: str | None = None
) -> None:
    with _maintenance(server) as maintenance:
        # Left over by a run that was killed: start clean.
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # A migrated template (make bench's) saves the migrations, minutes on a busy machine.
        copy = f' TEMPLATE "{template}"' if template else ""
        maintenance.execute(f'CREATE DATABASE "{name}"{copy}')


def _drop_database(server: dict, name: str = BENCH_DATABASE) -> None:
    with _maintenance(server) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())

"""Timeline events keep what the code generated as codes (``details``), rendered at display
in the reader's language; ``note`` keeps only what a person wrote.

The events written before were given English notes ("High-severity report", "high →
critical", "verbal_abuse → physical_attack", "TKY-1 → TKY-2. reason"). Those that parse
without doubt are rewritten here into details and the person's reason; an event whose note
does not parse keeps it as it is, and the page shows it as a note (better an English note
than a guessed one). The table is append-only (a pgtrigger): this migration alone is let
through, by pgtrigger.ignore for its own connection and transaction only."""

import re

import pgtrigger
from django.db import migrations, models

ARROW = " → "
SEVERITIES = {"low", "medium", "high", "critical"}
# "<before> → <after>. <reason>" as cases.py wrote relinks and merges.
MOVED = re.compile(r"^(?P<before>\S+) → (?P<after>\S+)\. (?P<reason>.*)$", re.DOTALL)


def _correction(note: str, codes: set[str]) -> tuple[dict, str] | None:
    """'<categories before> → <after>; <severity> → <severity>. <reason>' as triage wrote it."""
    summary, sep, reason = note.partition(". ")
    if not sep:
        return None
    details = {}
    for part in summary.split("; "):
        before, arrow, after = part.partition(ARROW)
        if not arrow:
            return None
        if before in SEVERITIES and after in SEVERITIES and "severity" not in details:
            details["severity"] = [before, after]
            continue
        before_codes, after_codes = before.split(", "), after.split(", ")
        if "categories" in details or not set(before_codes + after_codes) <= codes:
            return None
        details["categories"] = [before_codes, after_codes]
    return details, reason


def _moved(note: str) -> tuple[dict, str] | None:
    match = MOVED.match(note)
    if not match:
        return None
    before = "" if match["before"] == "—" else match["before"]
    return {"candidate": [before, match["after"]]}, match["reason"]


def notes_to_details(apps, schema_editor):
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    EscalationRule = apps.get_model("incidents", "EscalationRule")
    Category = apps.get_model("policy", "Category")
    rules = {}
    for rule in EscalationRule.objects.order_by("-pk"):  # the oldest wins a shared name
        rules[rule.name_en] = rules[rule.name_ja] = rule.pk
    codes = set(Category.objects.values_list("code", flat=True))
    merges = set(
        TimelineEvent.objects.filter(kind="candidates_merged").values_list("case_file_id", "note")
    )
    changed = []
    for event in TimelineEvent.objects.exclude(note="").filter(details={}).iterator():
        parsed = None
        if event.kind in ("escalated", "escalated_next_level") and event.note in rules:
            parsed = {"rule": rules[event.note]}, ""
        elif event.kind == "report_corrected":
            parsed = _correction(event.note, codes)
        elif event.kind in ("report_relinked", "candidates_merged"):
            parsed = _moved(event.note)
        elif event.kind in ("case_file_closed", "case_file_reopened"):
            # A merge closes the source's file and reopens the target's with its own note.
            parsed = _moved(event.note) if (event.case_file_id, event.note) in merges else None
        if parsed:
            event.details, event.note = parsed
            changed.append(event)
    if not changed:  # a new database: nothing to let through the trigger
        return
    with pgtrigger.ignore("incidents.TimelineEvent:timeline_event_append_only"):
        TimelineEvent.objects.bulk_update(changed, ["details", "note"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_checkin_lookup_refused"),
        ("policy", "0002_seed_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineevent",
            name="details",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="casefileaccess",
            name="what",
            field=models.CharField(
                choices=[
                    ("case_file", "the case file"),
                    ("notice", "the candidate notice"),
                    ("status", "a change of status"),
                ],
                default="case_file",
                max_length=30,
                verbose_name="what was opened",
            ),
        ),
        # Old rows keep their notes when going back: nothing to undo.
        migrations.RunPython(notes_to_details, migrations.RunPython.noop),
    ]

"""The default escalation rules of DESIGN.md §5. Used by a data migration (so that every
deployment escalates from its first report) and by seed_demo (which restores them in a
database that was emptied). Takes the model classes, so that the migration can pass its
historical models."""

MANAGERS_AND_LEGAL = ["manager", "legal"]


def seed_default_rules(Rule, Category) -> None:
    if Rule.objects.exists():
        return
    overdue = Rule.objects.create(
        name_ja="期限内に確認されなかった重大事案",
        name_en="Severe case not acknowledged in time",
        order=90,
        recipient_roles=["manager", "legal", "admin"],
    )
    severe = Rule.objects.create(
        name_ja="重大事案（暴行・セクハラ・けが・警察）",
        name_en="Severe case (violence, sexual harassment, injury, police)",
        order=10,
        min_severity="critical",
        on_injury=True,
        on_police=True,
        recipient_roles=MANAGERS_AND_LEGAL,
        ack_minutes=60,
        next_level=overdue,
    )
    severe.any_categories.set(
        Category.objects.filter(code__in=["physical_attack", "sexual_harassment"])
    )
    Rule.objects.create(
        name_ja="深刻度「高」以上の報告",
        name_en="High-severity report",
        order=20,
        min_severity="high",
        recipient_roles=["supervisor"],
        ack_minutes=24 * 60,
        next_level=overdue,
    )
    Rule.objects.create(
        name_ja="180日以内に3件以上の報告がある受験者",
        name_en="Candidate with 3 or more reports in 180 days",
        order=30,
        repeat_count=3,
        repeat_days=180,
        recipient_roles=["manager"],
    )
    Rule.objects.create(
        name_ja="報告者がサポートを希望",
        name_en="The reporter asked for support",
        order=40,
        on_support=True,
        recipient_roles=["supervisor", "staff_care"],
    )

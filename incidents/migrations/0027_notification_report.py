# A notification keeps its escalation's incident (issue 12): the bell and the inbox count
# incidents from one index (0028), instead of probing each notification's escalation. The
# column is filled in batches, each its own transaction, so that no notification is locked
# for long; the history does not record it (it is the escalation's, not the notification's),
# so filling it writes no history. The trigger then keeps every new or changed row right.
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models, transaction

BATCH = 50_000


def fill_reports(apps, schema_editor):
    Notification = apps.get_model("incidents", "Notification")
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, last + 1, BATCH):
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute(
                    "UPDATE incidents_notification AS n SET report_id = e.report_id"
                    " FROM incidents_escalation AS e"
                    " WHERE e.id = n.escalation_id AND n.id >= %s AND n.id < %s"
                    " AND n.report_id IS NULL",
                    [start, start + BATCH],
                )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("incidents", "0026_escalation_report_by_id")]

    operations = [
        # The history's update trigger compares the columns it records, without the new one.
        pgtrigger.migrations.RemoveTrigger(model_name="notification", name="update_update"),
        pgtrigger.migrations.AddTrigger(
            model_name="notification",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."channel" IS DISTINCT FROM (NEW."channel") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."email" IS DISTINCT FROM (NEW."email") OR OLD."escalation_id" IS DISTINCT FROM (NEW."escalation_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."outbox_email_id" IS DISTINCT FROM (NEW."outbox_email_id") OR OLD."read_at" IS DISTINCT FROM (NEW."read_at") OR OLD."recipient_id" IS DISTINCT FROM (NEW."recipient_id"))',
                    func='INSERT INTO "incidents_notificationevent" ("channel", "created_at", "email", "escalation_id", "id", "outbox_email_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "read_at", "recipient_id") VALUES (NEW."channel", NEW."created_at", NEW."email", NEW."escalation_id", NEW."id", NEW."outbox_email_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."read_at", NEW."recipient_id"); RETURN NULL;',
                    hash="2b766c80b493d40ae359efa9581c9e699f2d8aed",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_70cd8",
                    table="incidents_notification",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="report",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="incidents.incidentreport",
                verbose_name="report",
            ),
        ),
        migrations.RunPython(fill_reports, migrations.RunPython.noop, elidable=True),
        pgtrigger.migrations.AddTrigger(
            model_name="notification",
            trigger=pgtrigger.compiler.Trigger(
                name="notification_report_of_escalation",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="NEW.report_id := (SELECT report_id FROM incidents_escalation WHERE id = NEW.escalation_id); RETURN NEW;",
                    hash="e0912122c155c269cd736a64a9a4a4087103b822",
                    operation='INSERT OR UPDATE OF "escalation_id", "report_id"',
                    pgid="pgtrigger_notification_report_of_escalation_b9d03",
                    table="incidents_notification",
                    when="BEFORE",
                ),
            ),
        ),
        # Again for the rows inserted between the first pass and the trigger (by code that does
        # not know the column yet); from the trigger on, every insert has it.
        migrations.RunPython(fill_reports, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="notification",
            name="report",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="incidents.incidentreport",
                verbose_name="report",
            ),
        ),
    ]

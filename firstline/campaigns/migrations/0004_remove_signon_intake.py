"""Drop the sign-on intake table: the form now stores each sign-on itself.

The intake held sign-ons the form had already acknowledged ("check your
email") and the worker had not applied yet. Dropping a row would lose a
signature its signer was told we have, so this migration refuses to run
while any row remains, and changes nothing. Upgrade with the previous
release's worker still running (or run its ``process_signon_intake`` task)
until the table is empty; see docs/campaigns.md, "Upgrading".
"""

from django.db import migrations


def refuse_while_rows_wait(apps, schema_editor):
    SignOnIntake = apps.get_model("campaigns", "SignOnIntake")
    waiting = SignOnIntake.objects.using(schema_editor.connection.alias).count()
    if waiting:
        raise RuntimeError(
            f"{waiting} sign-on(s) are still waiting in campaigns_signonintake. They were "
            "acknowledged to their signers and would be lost. Let the previous release's "
            "db_worker apply them (or run its process_signon_intake task; failed rows: retry "
            "or delete them in its admin, 'sign-ons awaiting processing'), then migrate again. "
            "Nothing was changed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_signon_intake"),
    ]

    operations = [
        migrations.RunPython(refuse_while_rows_wait, migrations.RunPython.noop),
        migrations.DeleteModel(name="SignOnIntake"),
    ]

from django.db import migrations, models
from django.utils import timezone

import firstline.mail.transport


def requeue_sending(apps, schema_editor):
    # Rows a worker held before leases existed: put them back (same Message-ID
    # where they had one); the retry sweep sends them again.
    Email = apps.get_model("mail", "Email")
    Email.objects.filter(status="sending").update(status="queued", next_attempt_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="email",
            name="lease_token",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="email",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="email",
            name="message_id",
            field=models.CharField(
                blank=True,
                default=firstline.mail.transport.new_message_id,
                help_text="Stamped when the row is written, so every attempt carries the same one.",
                max_length=300,
            ),
        ),
        migrations.AddIndex(
            model_name="email",
            index=models.Index(fields=["status", "lease_until"], name="email_lease_idx"),
        ),
        migrations.RunPython(requeue_sending, migrations.RunPython.noop),
    ]

from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "firstline.officials"
    label = "officials"
    verbose_name = "Officials"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from firstline.officials.models import ContactPoint, Office, Person, Term
        from firstline.officials.signals import officials_changed_on_commit

        # Edits one row at a time (the admin, roster changes); the importers,
        # which write in bulk, send the signal themselves.
        for model in (Office, Person, Term, ContactPoint):
            for signal in (post_save, post_delete):
                signal.connect(officials_changed_on_commit, sender=model, weak=False)

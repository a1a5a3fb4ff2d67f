from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from firstline.lib.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new Fernet key for FIELD_ENCRYPTION_KEYS (prepend it; see docs/privacy.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())

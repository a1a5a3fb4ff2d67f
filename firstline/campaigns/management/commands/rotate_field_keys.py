from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from firstline.campaigns.services import signature_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt signer contact data "
        "under the newest FIELD_ENCRYPTION_KEYS key "
        "(and, with --rehash, recompute email lookup hashes). See docs/privacy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash", action="store_true", help="Also recompute email lookup hashes."
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        result = signature_rotate_keys(rehash=options["rehash"], batch_size=options["batch_size"])
        self.stdout.write(
            f"re-encrypted {result['reencrypted']} of {result['total']} signature(s); "
            f"already current {result['current']}; rehashed {result['rehashed']}"
        )

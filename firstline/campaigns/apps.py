from __future__ import annotations

import os
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, Tags, register


class CampaignsConfig(AppConfig):
    name = "firstline.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from firstline.campaigns.models import Campaign
        from firstline.campaigns.selectors import campaign_memo_clear

        register(check_no_bench_echo_in_production, Tags.security)
        # Edits in this process show at once; other processes within seconds.
        post_save.connect(campaign_memo_clear, sender=Campaign, dispatch_uid="campaign_memo_save")
        post_delete.connect(campaign_memo_clear, sender=Campaign, dispatch_uid="campaign_memo_del")


def check_no_bench_echo_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # A bench hook (an unauthenticated POST view) has no place where real
    # people sign (see campaigns/abuse.py).
    if settings.FIRSTLINE_ENV == "production" and os.environ.get("SIGNON_BENCH_ECHO"):
        return [
            Error(
                "SIGNON_BENCH_ECHO is set in production.",
                hint="Unset SIGNON_BENCH_ECHO; it is for bench/signon_burst.py only.",
                id="campaigns.E001",
            )
        ]
    return []

"""Staff exports of approved signatories: CSV (formula-safe) and OSDI-shaped JSON.

Both include the contact's name and email, decrypted, because their purpose
is moving a coalition's own list to another tool; they are staff-only and
never linked from public pages.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings

from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_signatories
from firstline.campaigns.text import csv_safe

CSV_COLUMNS = [
    "organization",
    "organization_type",
    "website",
    "home_jurisdiction",
    "home_ocd_id",
    "state",
    "contact_name",
    "contact_email",
    "contact_role",
    "language",
    "approved_at",
]


def signatories_rows(*, campaign: Campaign) -> list[dict[str, Any]]:
    rows = []
    for sig in campaign_signatories(campaign=campaign):
        org = sig.organization
        home = org.home_jurisdiction
        rows.append(
            {
                "organization": org.name,
                "organization_type": org.type,
                "website": org.website,
                "home_jurisdiction": str(home) if home else "",
                "home_ocd_id": home.ocd_id if home else "",
                "state": home.usps if home else "",
                "contact_name": sig.contact_name,
                "contact_email": sig.contact_email,
                "contact_role": sig.contact_role,
                "language": sig.language,
                "approved_at": sig.decided_at.isoformat() if sig.decided_at else "",
                "_signature": sig,
            }
        )
    return rows


def signatories_csv(*, campaign: Campaign) -> str:
    out = io.StringIO()
    # QUOTE_ALL plus csv_safe: quoting alone does not stop a spreadsheet from
    # evaluating "=HYPERLINK(...)"; the leading apostrophe does.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in signatories_rows(campaign=campaign):
        writer.writerow([csv_safe(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def signatories_osdi(*, campaign: Campaign) -> dict[str, Any]:
    """An OSDI-style collection: osdi:signatures with the person and the
    organization embedded (OSDI has no organization resource; ours goes under
    custom_fields, as OSDI recommends for extensions)."""
    base = settings.SITE_URL
    items = []
    for row in signatories_rows(campaign=campaign):
        sig = row["_signature"]
        given, _, family = row["contact_name"].partition(" ")
        items.append(
            {
                "identifiers": [f"firstline:signature-{sig.pk}"],
                "origin_system": "Firstline",
                "created_date": sig.created_at.isoformat(),
                "modified_date": sig.updated_at.isoformat(),
                "action_date": (sig.verified_at or sig.created_at).isoformat(),
                "custom_fields": {
                    "organization": row["organization"],
                    "organization_type": row["organization_type"],
                    "organization_website": row["website"],
                    "organization_home": row["home_jurisdiction"],
                    "organization_home_ocd_id": row["home_ocd_id"],
                    "contact_role": row["contact_role"],
                    "status": sig.status,
                },
                "_embedded": {
                    "osdi:person": {
                        "given_name": given,
                        "family_name": family,
                        "languages_spoken": [row["language"]],
                        "email_addresses": [{"address": row["contact_email"], "primary": True}],
                        "postal_addresses": [{"region": row["state"], "country": "US"}]
                        if row["state"]
                        else [],
                    }
                },
            }
        )
    return {
        "origin_system": "Firstline",
        "title": campaign.title,
        "total_records": len(items),
        "_links": {"self": {"href": base + campaign.get_absolute_url()}},
        "_embedded": {"osdi:signatures": items},
    }

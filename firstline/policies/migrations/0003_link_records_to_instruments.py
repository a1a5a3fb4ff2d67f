"""Give every existing evidence record an Instrument, grouped by jurisdiction and citation.

Records keep their ids, keys, statuses and versions; each new instrument gets
a first version saying where it came from. 287(g) agreements (records with an
agency name) stay without an Instrument row: the agreement is the instrument.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import migrations
from django.utils.text import slugify

_OUTCOMES = {"proposed": "proposed", "failed": "failed", "vetoed": "vetoed"}
_FIELDS = (
    "jurisdiction_id", "kind", "title", "citation", "url", "source_type", "status", "enacted_on",
    "effective_on", "confidence", "verified_on", "verified_by_id", "as_of", "summary", "note",
    "importer", "source_file",
)  # fmt: skip


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def link(apps: Any, schema_editor: Any) -> None:
    PolicyRecord = apps.get_model("policies", "PolicyRecord")
    Instrument = apps.get_model("policies", "Instrument")
    InstrumentVersion = apps.get_model("policies", "InstrumentVersion")
    groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for record in PolicyRecord.objects.filter(
        instrument__isnull=True, jurisdiction__isnull=False, agency_name=""
    ).order_by("id"):
        groups[(record.jurisdiction_id, " ".join(record.citation.split()))].append(record)
    used = set(Instrument.objects.values_list("slug", flat=True))
    for (jurisdiction_id, citation), records in groups.items():
        first = records[0]
        base = f"{first.usps.lower()}-{slugify(citation or first.policy_id)[:90]}".strip("-")
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        statuses = {r.status for r in records}
        status = next((_OUTCOMES[s] for s in statuses if s in _OUTCOMES), "proposed")
        if statuses - set(_OUTCOMES):
            status = "enacted"
        verified = next((r for r in records if r.verified_on), None)
        instrument = Instrument.objects.create(
            slug=slug,
            jurisdiction_id=jurisdiction_id,
            kind=first.instrument_kind,
            title=citation or str(first.policy_id),
            citation=citation,
            url=first.source_url,
            source_type="",
            status=status,
            enacted_on=min((r.enacted_on for r in records if r.enacted_on), default=None),
            effective_on=min((r.effective_on for r in records if r.effective_on), default=None),
            confidence="verified" if verified else first.confidence,
            verified_on=verified.verified_on if verified else None,
            verified_by_id=verified.verified_by_id if verified else None,
            as_of=max((r.as_of for r in records if r.as_of), default=None),
            note=first.note,
            importer=first.importer,
            source_file=first.source_file,
        )
        values = {f: _iso(getattr(instrument, f)) for f in _FIELDS}
        InstrumentVersion.objects.create(
            instrument=instrument,
            number=1,
            values=values,
            changed_fields=sorted(values),
            summary="created",
            why="Migration 0003: one instrument per jurisdiction and citation of existing records",
            by_label="migration",
        )
        PolicyRecord.objects.filter(pk__in=[r.pk for r in records]).update(
            instrument=instrument
        )


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_instruments_events_research")]
    operations = [migrations.RunPython(link, migrations.RunPython.noop)]

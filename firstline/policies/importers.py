"""Importers for the policy catalog and the cited state and local evidence.

The 287(g) importer lives in ``ice287g_importers.py``; both write records
through :func:`firstline.policies.services.policy_records_sync`.

The catalog's ``negates:``/``preempts:`` keys are the one place that says
which protective policies a harmful one cancels (``negates``: the same
jurisdiction and, for a county or state, the agencies attached to it) or
overrides from above (``preempts``: in force at state level, it overrides
county and city records of those policies). They are editorial;
docs/policies.md explains each line, and the catalog importer refuses a slug
that is not in the catalog or a protective policy that names any.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q

from firstline.geo.models import Jurisdiction
from firstline.lib.importing import Counts, ImportFailed, bulk_upsert
from firstline.policies.models import (
    Confidence,
    Instrument,
    Policy,
    PolicyCategory,
    PolicyKind,
    RecordStatus,
)
from firstline.policies.services import SyncRow, policy_record_key, policy_records_sync

CATALOG_FIELDS = [
    "kind", "category", "levels", "weight", "name_en", "summary_en", "related", "negates", "preempts",
    "source_section", "core", "sort_order",
]  # fmt: skip
SPANISH_FIELDS = ["name_es", "summary_es", "model_language_es"]
EVIDENCE_COLUMNS = [
    "jurisdiction", "state_fips", "census_geoid", "policy_id", "status", "instrument", "citation", "year",
    "enacted_on", "effective_on", "source_url", "confidence", "note",
]  # fmt: skip


def _load_yaml_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFailed(f"cannot read: {exc}", file=path) from exc
    if not isinstance(data, list):
        raise ImportFailed("expected a YAML list of policies", file=path)
    return data


def import_policy_catalog(path: Path, *, spanish: Path | None = None) -> Counts:
    """Upsert the catalog; merge Spanish text from ``catalog.es.yaml`` when present."""
    entries = _load_yaml_list(path)
    ids = [e.get("id") for e in entries if isinstance(e, dict)]
    known = set(ids)
    kinds = {e.get("id"): e.get("kind") for e in entries if isinstance(e, dict)}
    rows = []
    for order, entry in enumerate(entries, 1):
        where = f"entry {order} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise ImportFailed("not a mapping", file=path, line=where)
        for required in ("id", "name", "kind", "category"):
            if not entry.get(required):
                raise ImportFailed("missing value", file=path, line=where, field=required)
        if entry["kind"] not in PolicyKind.values:
            raise ImportFailed(
                f"unknown kind {entry['kind']!r}", file=path, line=where, field="kind"
            )
        if entry["category"] not in PolicyCategory.values:
            raise ImportFailed(
                f"unknown category {entry['category']!r}", file=path, line=where, field="category"
            )
        weight = entry.get("weight", 2)
        if weight not in (1, 2, 3):
            raise ImportFailed(
                f"weight must be 1-3, got {weight!r}", file=path, line=where, field="weight"
            )
        related = list(entry.get("related") or [])
        negates = list(entry.get("negates") or [])
        preempts = list(entry.get("preempts") or [])
        if entry["kind"] == PolicyKind.PROTECTIVE and (negates or preempts):
            raise ImportFailed(
                "a protective policy cannot negate or preempt others",
                file=path,
                line=where,
                field="negates" if negates else "preempts",
            )
        for field, slugs in (("related", related), ("negates", negates), ("preempts", preempts)):
            unknown = [s for s in slugs if s not in known]
            if unknown:
                raise ImportFailed(
                    f"unknown policy ids {unknown}", file=path, line=where, field=field
                )
        not_protective = [s for s in (*negates, *preempts) if kinds.get(s) != "protective"]
        if not_protective:
            raise ImportFailed(
                f"negates/preempts must name protective policies, not {not_protective}",
                file=path,
                line=where,
                field="negates",
            )
        rows.append(
            {
                "slug": entry["id"],
                "kind": entry["kind"],
                "category": entry["category"],
                "levels": list(entry.get("levels") or []),
                "weight": weight,
                "name_en": " ".join(str(entry["name"]).split()),
                "summary_en": " ".join(str(entry.get("summary") or "").split()),
                "related": related,
                "negates": list(negates),
                "preempts": list(preempts),
                "source_section": str(entry.get("source_section") or ""),
                "core": bool(entry.get("core", False)),
                "sort_order": order,
            }
        )
    fields = list(CATALOG_FIELDS)
    if spanish is not None and spanish.exists():
        by_id = {}
        for n, entry in enumerate(_load_yaml_list(spanish), 1):
            if not isinstance(entry, dict) or entry.get("id") not in known:
                raise ImportFailed(
                    "unknown or missing id", file=spanish, line=f"entry {n}", field="id"
                )
            by_id[entry["id"]] = entry
        for row in rows:
            es = by_id.get(row["slug"], {})
            row["name_es"] = " ".join(str(es.get("name_es") or "").split())
            row["summary_es"] = " ".join(str(es.get("summary_es") or "").split())
            row["model_language_es"] = str(es.get("model_language_es") or "").strip()
        fields += SPANISH_FIELDS
    counts, _ = bulk_upsert(Policy, rows, key=["slug"], fields=fields)
    return counts


# -- evidence ------------------------------------------------------------------------


def _parse_date(value: str, *, path: Path, line: int, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ImportFailed(
            f"not an ISO date: {value!r}", file=path, line=line, field=field
        ) from exc


def _jurisdiction_index(
    ocd_ids: set[str], geoids: set[str]
) -> tuple[dict[str, Jurisdiction], dict[tuple[str, str], Jurisdiction]]:
    found = Jurisdiction.objects.filter(Q(ocd_id__in=ocd_ids) | Q(geoid__in=geoids)).only(
        "id", "ocd_id", "kind", "geoid", "usps"
    )
    by_ocd = {j.ocd_id: j for j in found}
    by_geoid = {(j.kind, j.geoid): j for j in found}
    return by_ocd, by_geoid


_KIND_BY_GEOID_LENGTH = {2: "state", 5: "county", 7: "place"}


def import_evidence(path: Path, *, as_of: dt.date) -> Counts:
    """One PolicyRecord per CSV row, keyed by jurisdiction and citation.

    Jurisdictions are found by OCD id, then by Census GEOID; rows whose
    jurisdiction is not loaded are reported and skipped (the rest load).
    Malformed values refuse the whole file: this file is curated by hand.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailed(f"cannot read: {exc}", file=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in EVIDENCE_COLUMNS if c not in header]
        if missing:
            raise ImportFailed(f"missing columns {missing}", file=path, line=1)
        raw = list(reader)
    policies = {p.slug: p for p in Policy.objects.all()}
    by_ocd, by_geoid = _jurisdiction_index(
        {r["jurisdiction"] for r in raw}, {r["census_geoid"] for r in raw}
    )
    counts = Counts()
    per_policy: dict[str, list[SyncRow]] = {}
    for line, row in enumerate(raw, 2):
        policy = policies.get(row["policy_id"])
        if policy is None:
            raise ImportFailed(
                f"unknown policy {row['policy_id']!r} (load the catalog first)",
                file=path,
                line=line,
                field="policy_id",
            )
        for field, choices in (
            ("status", RecordStatus),
            ("instrument", Instrument),
            ("confidence", Confidence),
        ):
            if row[field] not in choices.values:
                raise ImportFailed(
                    f"unknown value {row[field]!r}", file=path, line=line, field=field
                )
        year = row["year"].strip()
        if year and not (year.isdigit() and len(year) == 4):
            raise ImportFailed(f"not a year: {year!r}", file=path, line=line, field="year")
        geoid = row["census_geoid"].strip()
        jurisdiction = by_ocd.get(row["jurisdiction"]) or by_geoid.get(
            (_KIND_BY_GEOID_LENGTH.get(len(geoid), ""), geoid)
        )
        if jurisdiction is None:
            counts.skipped += 1
            counts.notes.append(
                f"line {line}: jurisdiction {row['jurisdiction']} ({geoid}) not loaded; skipped"
            )
            continue
        citation = " ".join(row["citation"].split())
        values = {
            "jurisdiction_id": jurisdiction.pk,
            "level": jurisdiction.kind,
            "usps": jurisdiction.usps,
            "other_name": "",
            "status": row["status"],
            "instrument": row["instrument"],
            "citation": citation,
            "year": int(year) if year else None,
            "enacted_on": _parse_date(row["enacted_on"], path=path, line=line, field="enacted_on"),
            "effective_on": _parse_date(
                row["effective_on"], path=path, line=line, field="effective_on"
            ),
            "source_url": row["source_url"].strip(),
            "note": row["note"].strip(),
            "confidence": row["confidence"],
            "importer": "evidence",
            "source_file": path.name,
            "as_of": as_of,
        }
        # Key on the CSV's own OCD id so a later change in how geo spells an id
        # does not fork the record.
        key = policy_record_key(jurisdiction_ocd_id=row["jurisdiction"], citation=citation)
        per_policy.setdefault(policy.slug, []).append(SyncRow(key=key, values=values))
    for slug, rows in per_policy.items():
        part, _ = policy_records_sync(
            policy=policies[slug],
            rows=rows,
            importer="evidence",
            why=f"{path.name} (research as of {as_of})",
        )
        counts.add(part)
    return counts

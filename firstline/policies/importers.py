"""The policy catalog importer.

The evidence importer lives in ``evidence_importer.py`` and the 287(g)
importer in ``ice287g_importers.py``; both write records through
:func:`firstline.policies.services.policy_records_sync`.

The catalog's ``negates:``/``preempts:`` keys are the one place that says
which protective policies a harmful one cancels (``negates``: the same
jurisdiction and, for a county or state, the agencies attached to it) or
overrides from above (``preempts``: in force at state level, it overrides
county and city records of those policies). They are editorial;
docs/policies.md explains each line, and the catalog importer refuses a slug
that is not in the catalog or a protective policy that names any.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from firstline.lib.importing import Counts, ImportFailed, bulk_upsert
from firstline.policies.models import (
    Policy,
    PolicyCategory,
    PolicyKind,
)

CATALOG_FIELDS = [
    "kind", "category", "levels", "weight", "name_en", "summary_en", "related", "negates", "preempts",
    "source_section", "core", "sort_order",
]  # fmt: skip
SPANISH_FIELDS = ["name_es", "summary_es", "model_language_es"]


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

"""Writes to policy records. Every change goes through here so it leaves a version.

* :func:`policy_record_add`, :func:`policy_record_change`, :func:`policy_record_verify`
  are the one-record paths used by the admin and the tracker's staff workflow:
  each writes a :class:`PolicyRecordVersion` and an ``AuditEvent``.
* :func:`policy_records_sync` is the batch path used by the importers: it
  upserts many records by natural key, writes one version per inserted or
  changed record and one ``AuditEvent`` for the whole run, and never deletes.

Scorecard hook: after a commit that changed records, the ids of the touched
jurisdictions are passed to
``firstline.policies.scorecard.scorecard_jurisdictions_changed(jurisdiction_ids)``
if that module exists (the tracker owns it). It is looked up lazily so this
app works, and its tests run, without it; a failure inside the hook is not
swallowed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from firstline.core.services import audit_event_record
from firstline.lib.importing import Counts, ImportFailed
from firstline.policies.models import VERSIONED_FIELDS, Policy, PolicyRecord, PolicyRecordVersion
from firstline.policies.scorecard import scorecard_jurisdictions_changed

User = AbstractBaseUser | AnonymousUser | None

# Fields an importer may refresh without making a version: "this list still
# holds the agreement" is bookkeeping, not a change in the evidence, and a
# version per daily list would bury the real changes.
SILENT_FIELDS: frozenset[str] = frozenset(
    {"last_seen_on", "pending_last_seen_on", "as_of", "source_file"}
)

_DATE_FIELDS = {f for f in VERSIONED_FIELDS if f.endswith("_on") or f == "as_of"}


class RecordChangeInvalid(ValueError):
    """A change that names an unknown field or gives no reason."""


# -- keys -------------------------------------------------------------------


def agency_key_name(name: str) -> str:
    """ICE's agency name reduced to what survives its spelling churn (case, quotes, punctuation)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"['`]", "", text.lower())
    text = re.sub(r"&", " and ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def policy_record_key(
    *,
    jurisdiction_ocd_id: str = "",
    citation: str = "",
    usps: str = "",
    agency_name: str = "",
    support_model: str = "",
) -> str:
    """The natural key of a record within its policy (see models.py)."""
    if agency_name:
        return f"{usps.upper()}|{agency_key_name(agency_name)}|{support_model or 'unknown'}"
    if not jurisdiction_ocd_id:
        raise RecordChangeInvalid("a record key needs a jurisdiction or an agency")
    return f"{jurisdiction_ocd_id}|{' '.join(citation.split())}"


# -- snapshots ----------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record_snapshot(record: PolicyRecord) -> dict[str, Any]:
    return {f: _jsonable(getattr(record, f)) for f in VERSIONED_FIELDS}


def _coerce(field: str, value: Any) -> Any:
    if field in _DATE_FIELDS and isinstance(value, str):
        return dt.date.fromisoformat(value) if value else None
    if isinstance(value, models.Model):
        return value.pk
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def _normalize_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        field = name if name in VERSIONED_FIELDS else f"{name}_id"
        if field not in VERSIONED_FIELDS:
            raise RecordChangeInvalid(f"{name!r} is not a versioned field of PolicyRecord")
        out[field] = _coerce(field, value)
    return out


def _summary(before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> str:
    parts = []
    for f in fields:
        old, new = before.get(f), after.get(f)
        parts.append(f"{f}: {_short(old)} → {_short(new)}")
    text = "; ".join(parts)
    return text if len(text) <= 500 else text[:497] + "..."


def _short(value: Any) -> str:
    if value in (None, ""):
        return "∅"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _actor_label(by: User, by_label: str) -> str:
    if by is not None and getattr(by, "is_authenticated", False):
        return by_label or str(getattr(by, "get_username", lambda: by)())
    return by_label or "system"


def _user(by: User) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


# -- the scorecard hook ---------------------------------------------------------


def _notify_jurisdictions_changed(jurisdiction_ids: Iterable[int | None]) -> None:
    ids = sorted({i for i in jurisdiction_ids if i is not None})
    if not ids:
        return

    def hook() -> None:
        scorecard_jurisdictions_changed(ids)

    transaction.on_commit(hook)


# -- one record -----------------------------------------------------------------


def policy_record_add(
    *,
    policy: Policy,
    values: Mapping[str, Any],
    why: str,
    by: User = None,
    by_label: str = "",
    key: str = "",
) -> PolicyRecord:
    """Create a record and its first version. ``key`` defaults to the evidence key."""
    if not why.strip():
        raise RecordChangeInvalid("a reason (why) is required")
    data = _normalize_changes(values)
    record = PolicyRecord(policy=policy, **data)
    # record.jurisdiction costs a query: read it only where a value from it is needed.
    if not key:
        ocd_id = (
            record.jurisdiction.ocd_id if record.jurisdiction_id and record.jurisdiction else ""
        )
        key = policy_record_key(
            jurisdiction_ocd_id=ocd_id,
            citation=record.citation,
            usps=record.usps,
            agency_name=record.agency_name,
            support_model=record.support_model,
        )
    record.key = key
    if record.jurisdiction_id and not record.usps and record.jurisdiction:
        record.usps = record.jurisdiction.usps
    if record.jurisdiction_id and not record.level and record.jurisdiction:
        record.level = record.jurisdiction.kind
    record.full_clean(exclude=["verified_by", "jurisdiction", "policy"])
    with transaction.atomic():
        record.save()
        snapshot = record_snapshot(record)
        PolicyRecordVersion.objects.create(
            record=record,
            number=1,
            values=snapshot,
            changed_fields=sorted(snapshot),
            summary="created",
            why=why,
            by=_user(by),
            by_label=_actor_label(by, by_label),
        )
        audit_event_record(
            action="policy_record.add",
            subject=f"policies.PolicyRecord:{record.pk}",
            actor=by,
            actor_label=_actor_label(by, by_label),
            message=why,
            data={"key": record.key, "values": snapshot},
        )
        _notify_jurisdictions_changed([record.jurisdiction_id])
    return record


def policy_record_change(
    *,
    record: PolicyRecord,
    changes: Mapping[str, Any],
    why: str,
    by: User = None,
    by_label: str = "",
) -> PolicyRecordVersion | None:
    """Apply ``changes`` and keep the old values in a new version.

    Returns ``None`` (and writes nothing) when every value is already current.
    The record row is locked for the update so two staff edits cannot both
    claim the same version number.
    """
    if not why.strip():
        raise RecordChangeInvalid("a reason (why) is required")
    data = _normalize_changes(changes)
    with transaction.atomic():
        locked = PolicyRecord.objects.select_for_update().get(pk=record.pk)
        before = record_snapshot(locked)
        changed = [f for f, v in data.items() if not _same(getattr(locked, f), v)]
        if not changed:
            return None
        old_jurisdiction = locked.jurisdiction_id
        for f in changed:
            setattr(locked, f, data[f])
        locked.full_clean(
            exclude=["verified_by", "jurisdiction", "policy", "key"], validate_constraints=False
        )
        locked.save(update_fields=[*changed, "updated_at"])
        after = record_snapshot(locked)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PolicyRecordVersion.objects.create(
            record=locked,
            number=number,
            values=after,
            changed_fields=sorted(changed),
            summary=_summary(before, after, sorted(changed)),
            why=why,
            by=_user(by),
            by_label=_actor_label(by, by_label),
        )
        audit_event_record(
            action="policy_record.change",
            subject=f"policies.PolicyRecord:{locked.pk}",
            actor=by,
            actor_label=_actor_label(by, by_label),
            message=why,
            data={
                "version": number,
                "changed": {f: [before[f], after[f]] for f in sorted(changed)},
            },
        )
        _notify_jurisdictions_changed([old_jurisdiction, locked.jurisdiction_id])
    # Keep the caller's instance current, as the admin re-renders it.
    for f in VERSIONED_FIELDS:
        setattr(record, f, getattr(locked, f))
    return version


def policy_record_verify(
    *, record: PolicyRecord, by: Any, why: str = "", on: dt.date | None = None
) -> PolicyRecordVersion | None:
    """Mark a record checked against its primary source by a staff member."""
    return policy_record_change(
        record=record,
        changes={
            "confidence": "verified",
            "verified_on": on or dt.date.today(),
            "verified_by_id": by.pk,
        },
        why=why or "Checked against the primary source",
        by=by,
    )


# -- many records (importers) ---------------------------------------------------------


@dataclass
class SyncRow:
    """One record as an importer sees it: the natural key and the values it asserts."""

    key: str
    values: dict[str, Any]
    why: str = ""


def policy_records_sync(
    *,
    policy: Policy,
    rows: Iterable[SyncRow],
    importer: str,
    why: str,
    records: dict[str, PolicyRecord] | None = None,
) -> tuple[Counts, dict[str, PolicyRecord]]:
    """Upsert records of one policy by key; insert/update/noop counts.

    Only fields present in a row's ``values`` are compared, so an importer
    that knows nothing about, say, ``confidence`` leaves a staff member's
    verification alone. A change that touches only :data:`SILENT_FIELDS`
    updates the row without a version and counts as a noop. ``records`` may
    pass the caller's already loaded ``{key: record}`` map.
    """
    counts = Counts()
    if records is None:
        records = {r.key: r for r in PolicyRecord.objects.filter(policy=policy)}
    now_versions: list[PolicyRecordVersion] = []
    new_records: list[tuple[PolicyRecord, str]] = []
    touched: list[tuple[PolicyRecord, list[str], dict[str, Any], str]] = []
    silent: list[tuple[PolicyRecord, list[str]]] = []
    jurisdictions: set[int | None] = set()
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            raise ImportFailed(f"duplicate record key {row.key!r} for policy {policy.slug}")
        seen.add(row.key)
        data = _normalize_changes(row.values)
        current = records.get(row.key)
        if current is None:
            record = PolicyRecord(policy=policy, key=row.key, **{"importer": importer, **data})
            new_records.append((record, row.why or why))
            continue
        if current.verified_on is not None:
            # A staff member checked this record; an importer must not undo that.
            data.pop("confidence", None)
        changed = [f for f, v in data.items() if not _same(getattr(current, f), v)]
        if not changed:
            counts.noop += 1
            continue
        loud = [f for f in changed if f not in SILENT_FIELDS]
        if not loud:
            for f in changed:
                setattr(current, f, data[f])
            silent.append((current, changed))
            counts.noop += 1
            continue
        before = record_snapshot(current)
        jurisdictions.add(current.jurisdiction_id)
        for f in changed:
            setattr(current, f, data[f])
        touched.append((current, changed, before, row.why or why))
    if new_records:
        created = PolicyRecord.objects.bulk_create([r for r, _ in new_records], batch_size=500)
        if any(r.pk is None for r in created):  # backends without RETURNING
            pks = dict(PolicyRecord.objects.filter(policy=policy).values_list("key", "pk"))
            for r in created:
                r.pk = pks[r.key]
        for record, reason in new_records:
            records[record.key] = record
            jurisdictions.add(record.jurisdiction_id)
            snapshot = record_snapshot(record)
            now_versions.append(
                PolicyRecordVersion(
                    record=record,
                    number=1,
                    values=snapshot,
                    changed_fields=sorted(snapshot),
                    summary="created",
                    why=reason,
                    by_label=importer,
                )
            )
        counts.inserted = len(created)
    if touched:
        numbers = dict(
            PolicyRecordVersion.objects.filter(record__in=[r for r, *_ in touched])
            .values("record")
            .annotate(n=Max("number"))
            .values_list("record", "n")
        )
        fields = sorted({f for _, changed, *_ in touched for f in changed})
        stamp = timezone.now()
        for record, *_ in touched:
            record.updated_at = stamp  # bulk_update skips auto_now
        PolicyRecord.objects.bulk_update(
            [r for r, *_ in touched], [*fields, "updated_at"], batch_size=500
        )
        for record, changed, before, reason in touched:
            after = record_snapshot(record)
            jurisdictions.add(record.jurisdiction_id)
            now_versions.append(
                PolicyRecordVersion(
                    record=record,
                    number=numbers.get(record.pk, 0) + 1,
                    values=after,
                    changed_fields=sorted(changed),
                    summary=_summary(before, after, sorted(changed)),
                    why=reason,
                    by_label=importer,
                )
            )
        counts.updated = len(touched)
    if silent:
        fields = sorted({f for _, changed in silent for f in changed})
        PolicyRecord.objects.bulk_update([r for r, _ in silent], fields, batch_size=500)
    PolicyRecordVersion.objects.bulk_create(now_versions, batch_size=1000)
    if counts.changed:
        audit_event_record(
            action=f"import.{importer}",
            subject=f"import:{importer}",
            actor_label=importer,
            message=why,
            data={
                "policy": policy.slug,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "updated_ids": [r.pk for r, *_ in touched][:500],
            },
        )
        _notify_jurisdictions_changed(jurisdictions)
    return counts, records

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
from firstline.lib.importing import Counts, ImportFailed, same_value
from firstline.policies.models import (
    INSTRUMENT_VERSIONED_FIELDS,
    VERSIONED_FIELDS,
    Instrument,
    InstrumentVersion,
    Policy,
    PolicyRecord,
    PolicyRecordVersion,
    VersionBase,
)
from firstline.policies.scorecard import scorecard_jurisdictions_changed

User = AbstractBaseUser | AnonymousUser | None

# Fields an importer may refresh without making a version: "this list still
# holds the agreement" is bookkeeping, not a change in the evidence, and a
# version per daily list would bury the real changes.
SILENT_FIELDS: frozenset[str] = frozenset(
    {"last_seen_on", "pending_last_seen_on", "as_of", "source_file"}
)


@dataclass(frozen=True)
class Versioned:
    """How one versioned model is snapshotted: the same mechanism serves records and instruments."""

    model: type[models.Model]
    version_model: type[VersionBase]
    owner: str  # the version's FK to the row
    fields: tuple[str, ...]
    label: str  # audit subject and action prefix

    @property
    def date_fields(self) -> set[str]:
        return {f for f in self.fields if f.endswith("_on") or f == "as_of"}


RECORDS = Versioned(PolicyRecord, PolicyRecordVersion, "record", VERSIONED_FIELDS, "policy_record")
INSTRUMENTS = Versioned(
    Instrument, InstrumentVersion, "instrument", INSTRUMENT_VERSIONED_FIELDS, "instrument"
)


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


def record_snapshot(record: models.Model, spec: Versioned = RECORDS) -> dict[str, Any]:
    return {f: _jsonable(getattr(record, f)) for f in spec.fields}


def _coerce(field: str, value: Any, spec: Versioned) -> Any:
    if field in spec.date_fields and isinstance(value, str):
        return dt.date.fromisoformat(value) if value else None
    if isinstance(value, models.Model):
        return value.pk
    return value


def _normalize_changes(changes: Mapping[str, Any], spec: Versioned = RECORDS) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        field = name if name in spec.fields else f"{name}_id"
        if field not in spec.fields:
            raise RecordChangeInvalid(f"{name!r} is not a versioned field of {spec.model.__name__}")
        out[field] = _coerce(field, value, spec)
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


def jurisdictions_changed(*, jurisdiction_ids: Iterable[int | None]) -> None:
    """Tell the scorecard that evidence other than records changed here (research checks)."""
    _notify_jurisdictions_changed(jurisdiction_ids)


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
    record.full_clean(exclude=["verified_by", "jurisdiction", "policy", "instrument"])
    with transaction.atomic():
        record.save()
        _first_version(RECORDS, record, why=why, by=by, by_label=by_label, data={"key": record.key})
        _notify_jurisdictions_changed([record.jurisdiction_id])
    return record


def _first_version(
    spec: Versioned, obj: Any, *, why: str, by: User, by_label: str, data: Mapping[str, Any]
) -> None:
    snapshot = record_snapshot(obj, spec)
    spec.version_model._default_manager.create(
        **{spec.owner: obj},
        number=1,
        values=snapshot,
        changed_fields=sorted(snapshot),
        summary="created",
        why=why,
        by=_user(by),
        by_label=_actor_label(by, by_label),
    )
    audit_event_record(
        action=f"{spec.label}.add",
        subject=f"policies.{spec.model.__name__}:{obj.pk}",
        actor=by,
        actor_label=_actor_label(by, by_label),
        message=why,
        data={**data, "values": snapshot},
    )


def versioned_change(
    *,
    spec: Versioned,
    obj: Any,
    changes: Mapping[str, Any],
    why: str,
    by: User = None,
    by_label: str = "",
) -> tuple[VersionBase | None, set[int | None]]:
    """Apply ``changes`` to a versioned row, keeping the old values in a new version.

    Returns the version (``None`` when every value is already current) and the
    jurisdiction ids before and after. The row is locked for the update so two
    staff edits cannot both claim the same version number.
    """
    if not why.strip():
        raise RecordChangeInvalid("a reason (why) is required")
    data = _normalize_changes(changes, spec)
    with transaction.atomic():
        locked: Any = spec.model._default_manager.select_for_update().get(pk=obj.pk)
        before = record_snapshot(locked, spec)
        changed = [f for f, v in data.items() if not same_value(getattr(locked, f), v)]
        if not changed:
            return None, set()
        jurisdictions = {locked.jurisdiction_id}
        for f in changed:
            setattr(locked, f, data[f])
        locked.full_clean(
            exclude=["verified_by", "jurisdiction", "policy", "key", "instrument"],
            validate_constraints=False,
        )
        locked.save(update_fields=[*changed, "updated_at"])
        jurisdictions.add(locked.jurisdiction_id)
        after = record_snapshot(locked, spec)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = spec.version_model._default_manager.create(
            **{spec.owner: locked},
            number=number,
            values=after,
            changed_fields=sorted(changed),
            summary=_summary(before, after, sorted(changed)),
            why=why,
            by=_user(by),
            by_label=_actor_label(by, by_label),
        )
        audit_event_record(
            action=f"{spec.label}.change",
            subject=f"policies.{spec.model.__name__}:{locked.pk}",
            actor=by,
            actor_label=_actor_label(by, by_label),
            message=why,
            data={
                "version": number,
                "changed": {f: [before[f], after[f]] for f in sorted(changed)},
            },
        )
    # Keep the caller's instance current, as the admin re-renders it.
    for f in spec.fields:
        setattr(obj, f, getattr(locked, f))
    return version, jurisdictions


def policy_record_change(
    *,
    record: PolicyRecord,
    changes: Mapping[str, Any],
    why: str,
    by: User = None,
    by_label: str = "",
) -> PolicyRecordVersion | None:
    """Apply ``changes`` to a record and keep the old values in a new version (None: nothing changed)."""
    with transaction.atomic():
        version, jurisdictions = versioned_change(
            spec=RECORDS, obj=record, changes=changes, why=why, by=by, by_label=by_label
        )
        _notify_jurisdictions_changed(jurisdictions)
    return version  # type: ignore[return-value]


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
    if records is None:
        records = {r.key: r for r in PolicyRecord.objects.filter(policy=policy)}
    counts, touched = versioned_sync(
        spec=RECORDS,
        existing=records,
        rows=rows,
        build=lambda key, data: PolicyRecord(policy=policy, key=key, **data),
        key_field="key",
        importer=importer,
        why=why,
        audit={"policy": policy.slug},
    )
    if counts.changed:
        _notify_jurisdictions_changed(touched)
    return counts, records


def instruments_sync(
    *, rows: Iterable[SyncRow], importer: str, why: str, existing: dict[str, Instrument]
) -> tuple[Counts, set[int | None]]:
    """Upsert instruments by slug (rows keyed by slug), versioned like records."""
    return versioned_sync(
        spec=INSTRUMENTS,
        existing=existing,
        rows=rows,
        build=lambda key, data: Instrument(slug=key, **data),
        key_field="slug",
        importer=importer,
        why=why,
        audit={"model": "instrument"},
    )


def versioned_sync(
    *,
    spec: Versioned,
    existing: dict[str, Any],
    rows: Iterable[SyncRow],
    build: Any,
    key_field: str,
    importer: str,
    why: str,
    audit: Mapping[str, Any],
) -> tuple[Counts, set[int | None]]:
    """The batch path behind the ``*_sync`` functions: one version per inserted or changed row.

    ``existing`` ({key: row}) is updated in place with the inserted rows.
    Returns the counts and the jurisdictions touched; never deletes.
    """
    counts = Counts()
    new_rows: list[tuple[Any, str]] = []
    touched: list[tuple[Any, list[str], dict[str, Any], str]] = []
    silent: list[tuple[Any, list[str]]] = []
    jurisdictions: set[int | None] = set()
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            raise ImportFailed(f"duplicate {spec.model.__name__} key {row.key!r}")
        seen.add(row.key)
        data = _normalize_changes(row.values, spec)
        current = existing.get(row.key)
        if current is None:
            new_rows.append((build(row.key, {"importer": importer, **data}), row.why or why))
            continue
        if current.verified_on is not None:
            # A staff member checked this row; an importer must not undo that.
            data.pop("confidence", None)
        changed = [f for f, v in data.items() if not same_value(getattr(current, f), v)]
        if not changed:
            counts.noop += 1
            continue
        if all(f in SILENT_FIELDS for f in changed):
            for f in changed:
                setattr(current, f, data[f])
            silent.append((current, changed))
            counts.noop += 1
            continue
        before = record_snapshot(current, spec)
        jurisdictions.add(current.jurisdiction_id)
        for f in changed:
            setattr(current, f, data[f])
        touched.append((current, changed, before, row.why or why))
    versions = _sync_insert(spec, new_rows, existing, key_field, importer)
    jurisdictions.update(r.jurisdiction_id for r, _ in new_rows)
    counts.inserted = len(new_rows)
    versions += _sync_update(spec, touched, importer)
    jurisdictions.update(r.jurisdiction_id for r, *_ in touched)
    counts.updated = len(touched)
    if silent:
        fields = sorted({f for _, changed in silent for f in changed})
        spec.model._default_manager.bulk_update([r for r, _ in silent], fields, batch_size=500)
    spec.version_model._default_manager.bulk_create(versions, batch_size=1000)
    if counts.changed:
        audit_event_record(
            action=f"import.{importer}",
            subject=f"import:{importer}",
            actor_label=importer,
            message=why,
            data={
                **audit,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "updated_ids": [r.pk for r, *_ in touched][:500],
            },
        )
    return counts, jurisdictions


def _sync_insert(
    spec: Versioned,
    new_rows: list[tuple[Any, str]],
    existing: dict[str, Any],
    key_field: str,
    importer: str,
) -> list[Any]:
    if not new_rows:
        return []
    manager = spec.model._default_manager
    created = manager.bulk_create([r for r, _ in new_rows], batch_size=500)
    if any(r.pk is None for r in created):  # backends without RETURNING
        keys = [getattr(r, key_field) for r in created]
        pks = dict(manager.filter(**{f"{key_field}__in": keys}).values_list(key_field, "pk"))
        for r in created:
            r.pk = pks[getattr(r, key_field)]
    versions = []
    for obj, reason in new_rows:
        existing[getattr(obj, key_field)] = obj
        snapshot = record_snapshot(obj, spec)
        versions.append(
            spec.version_model(
                **{spec.owner: obj},
                number=1,
                values=snapshot,
                changed_fields=sorted(snapshot),
                summary="created",
                why=reason,
                by_label=importer,
            )
        )
    return versions


def _sync_update(
    spec: Versioned, touched: list[tuple[Any, list[str], dict[str, Any], str]], importer: str
) -> list[Any]:
    if not touched:
        return []
    numbers = dict(
        spec.version_model._default_manager.filter(
            **{f"{spec.owner}__in": [r for r, *_ in touched]}
        )
        .values(spec.owner)
        .annotate(n=Max("number"))
        .values_list(spec.owner, "n")
    )
    fields = sorted({f for _, changed, *_ in touched for f in changed})
    stamp = timezone.now()
    for obj, *_ in touched:
        obj.updated_at = stamp  # bulk_update skips auto_now
    spec.model._default_manager.bulk_update(
        [r for r, *_ in touched], [*fields, "updated_at"], batch_size=500
    )
    versions = []
    for obj, changed, before, reason in touched:
        after = record_snapshot(obj, spec)
        versions.append(
            spec.version_model(
                **{spec.owner: obj},
                number=numbers.get(obj.pk, 0) + 1,
                values=after,
                changed_fields=sorted(changed),
                summary=_summary(before, after, sorted(changed)),
                why=reason,
                by_label=importer,
            )
        )
    return versions


# -- instruments (staff) ----------------------------------------------------------------


def instrument_add(
    *, slug: str, values: Mapping[str, Any], why: str, by: User = None, by_label: str = ""
) -> Instrument:
    """Create an instrument and its first version."""
    if not why.strip():
        raise RecordChangeInvalid("a reason (why) is required")
    instrument = Instrument(slug=slug, **_normalize_changes(values, INSTRUMENTS))
    instrument.full_clean(exclude=["verified_by", "jurisdiction"])
    with transaction.atomic():
        instrument.save()
        _first_version(INSTRUMENTS, instrument, why=why, by=by, by_label=by_label, data={})
    return instrument


def instrument_change(
    *,
    instrument: Instrument,
    changes: Mapping[str, Any],
    why: str,
    by: User = None,
    by_label: str = "",
) -> InstrumentVersion | None:
    """Change an instrument (versioned, audited) and re-derive its provisions' statuses."""
    with transaction.atomic():
        version, _jurisdictions = versioned_change(
            spec=INSTRUMENTS, obj=instrument, changes=changes, why=why, by=by, by_label=by_label
        )
        instrument_provisions_refresh(instrument=instrument, why=why, by=by, by_label=by_label)
    return version  # type: ignore[return-value]


def instrument_provisions_refresh(
    *,
    instrument: Instrument,
    why: str,
    by: User = None,
    by_label: str = "",
    on: dt.date | None = None,
) -> int:
    """Re-derive each provision's status from the instrument and its events; returns how many changed.

    Called after a staff edit of the instrument or its events, so the stored
    status (what the scorecard reads) never disagrees with the legal history.
    """
    from firstline.policies.legal_status import provision_status
    from firstline.policies.selectors import legal_event_rows

    events = legal_event_rows(instrument_ids=[instrument.pk]).get(instrument.pk, [])
    changed = 0
    for record in instrument.provisions.select_related("policy").exclude(status="withdrawn"):
        status, _event = provision_status(
            instrument_status=instrument.status,
            enacted_on=instrument.enacted_on,
            effective_on=instrument.effective_on,
            extent=record.extent,
            policy=record.policy.slug,
            events=events,
            on=on or dt.date.today(),
        )
        changes = {
            "status": status or "pending",
            "citation": instrument.citation,
            "source_url": instrument.url,
            "enacted_on": instrument.enacted_on,
            "effective_on": instrument.effective_on,
            "instrument_kind": instrument.kind,
        }
        if policy_record_change(record=record, changes=changes, why=why, by=by, by_label=by_label):
            changed += 1
    return changed


def provision_add(
    *,
    jurisdiction: Any,
    policy: Policy,
    values: Mapping[str, Any],
    why: str,
    by: User = None,
) -> PolicyRecord:
    """A staff proposal: a new instrument with one provision, both versioned and audited.

    The instrument's outcome follows the proposed status (a proposal stays
    ``proposed``; anything in force is ``enacted``); it starts unverified.
    """
    from django.utils.text import slugify

    citation = " ".join(str(values.get("citation") or "").split())
    status = values.get("status") or "proposed"
    outcome = status if status in ("proposed", "failed", "vetoed") else "enacted"
    base = f"{jurisdiction.usps.lower()}-staff-{slugify(citation)[:60] or policy.slug}".strip("-")
    slug, n = base, 1
    while Instrument.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        instrument = instrument_add(
            slug=slug,
            values={
                "jurisdiction_id": jurisdiction.pk,
                "kind": values.get("instrument_kind") or "other",
                "title": citation or policy.name_en,
                "citation": citation,
                "url": values.get("source_url") or "",
                "status": outcome,
                "enacted_on": values.get("enacted_on"),
                "effective_on": values.get("effective_on"),
                "confidence": "unverified",
                "note": values.get("note") or "",
            },
            why=why,
            by=by,
        )
        return policy_record_add(
            policy=policy,
            values={
                **values,
                "instrument_id": instrument.pk,
                "jurisdiction_id": jurisdiction.pk,
                "level": jurisdiction.kind,
                "usps": jurisdiction.usps,
                "confidence": "unverified",
            },
            why=why,
            by=by,
            key=f"instrument:{slug}",
        )

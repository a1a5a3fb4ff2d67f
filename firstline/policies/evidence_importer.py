"""Load the bundled evidence (format v2, data/policies/README.md) into instruments,
provisions, legal events and research checks.

The directory holds ``states/*.yaml`` and ``local/*.yaml``. The whole
directory is one import: every file is parsed and checked before anything is
written, and a malformed value anywhere refuses the import with the file, the
line (from the YAML node marks) and the field.

Natural keys: instrument ``id`` (slug); provision (instrument, policy);
event (instrument, kind, date, reference); research (jurisdiction, policy).

Removals never delete history. A provision that was loaded from these files
and is no longer in them becomes ``withdrawn`` through a new version (it
earns nothing and stays on record); its instrument keeps its versions. Events
and research checks carry no history of their own, so one that is no longer in
the files is deleted and counted as ``ended``, with an audit event naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.lib.importing import Counts, ImportFailed, bulk_upsert
from firstline.policies.legal_status import EventRow, provision_status
from firstline.policies.models import (
    Confidence,
    EventKind,
    Extent,
    Instrument,
    InstrumentKind,
    InstrumentStatus,
    LegalEvent,
    Policy,
    PolicyRecord,
    RecordStatus,
    ResearchCheck,
    ResearchResult,
    SourceType,
)
from firstline.policies.services import (
    SyncRow,
    instruments_sync,
    jurisdictions_changed,
    policy_records_sync,
)

IMPORTER = "evidence"
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
EVENT_FIELDS = ["body", "url", "source_type", "policies", "superseded_by_id", "note", "importer"]
RESEARCH_FIELDS = ["result", "checked_on", "checked_by", "where", "note", "importer", "source_file"]


@dataclass
class Parsed:
    """Everything the files assert, checked and ready to write."""

    instruments: dict[str, dict[str, Any]] = field(default_factory=dict)
    provisions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    research: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # instrument id -> file


class _Loader(yaml.SafeLoader):
    """Dates stay text, so a bad one is reported with its line by :func:`_date`, not by PyYAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _File:
    """One YAML file, its nodes for line numbers, and an error helper."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
            self.root = yaml.compose(text)
            self.data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except (OSError, yaml.YAMLError) as exc:
            raise ImportFailed(f"cannot read: {exc}", file=path) from exc
        if not isinstance(self.data, dict) or not isinstance(self.root, yaml.MappingNode):
            raise ImportFailed("expected a mapping at the top", file=path, line=1)

    def fail(self, message: str, node: yaml.Node | None, field: str) -> ImportFailed:
        line = node.start_mark.line + 1 if node is not None else None
        return ImportFailed(message, file=self.path, line=line, field=field)


def _nodes(node: yaml.Node | None) -> dict[str, yaml.Node]:
    return {k.value: v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def _items(file: _File, data: dict[str, Any], nodes: dict[str, yaml.Node], key: str) -> list[Any]:
    """``(value, node)`` pairs of a list under ``key`` (safe_load and compose walk the same order)."""
    values = data.get(key) or []
    node = nodes.get(key)
    if not isinstance(values, list):
        raise file.fail("expected a list", node, key)
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    out = []
    for value, child in zip(values, children, strict=True):
        if not isinstance(value, dict):
            raise file.fail("expected a mapping", child, key)
        out.append((value, child))
    return out


def _text(file: _File, data: dict[str, Any], nodes: dict[str, yaml.Node], name: str, *,
          required: bool = False, default: str = "") -> str:  # fmt: skip
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise file.fail("missing value", nodes.get(name) or None, name)
        return default
    return " ".join(str(value).split())


def _choice(file: _File, data: dict[str, Any], nodes: dict[str, yaml.Node], name: str,
            choices: Any, *, default: str | None = None) -> str:  # fmt: skip
    value = data.get(name, default)
    if value not in choices.values:
        raise file.fail(f"{value!r} is not one of {sorted(choices.values)}", nodes.get(name), name)
    return str(value)


def _date(file: _File, data: dict[str, Any], nodes: dict[str, yaml.Node], name: str, *,
          default: dt.date | None = None, required: bool = False) -> dt.date | None:  # fmt: skip
    value = data.get(name)
    if value in (None, ""):
        if required and default is None:
            raise file.fail("missing date", nodes.get(name), name)
        return default
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise file.fail(f"not an ISO date: {value!r}", nodes.get(name), name) from exc


def _url(file: _File, data: dict[str, Any], nodes: dict[str, yaml.Node], name: str) -> str:
    url = _text(file, data, nodes, name)
    if url and not url.startswith(("http://", "https://")):
        raise file.fail(f"not a URL: {url!r}", nodes.get(name), name)
    return url


class _Context:
    """What the checks need from the database: the catalog and the jurisdictions."""

    def __init__(self, ocd_ids: set[str]) -> None:
        self.policies = {p.slug: p for p in Policy.objects.all()}
        self.jurisdictions = {
            j.ocd_id: j
            for j in Jurisdiction.objects.filter(ocd_id__in=ocd_ids).only(
                "id", "ocd_id", "kind", "usps"
            )
        }


def _jurisdiction(file: _File, ctx: _Context, ocd_id: str, node: yaml.Node | None) -> Jurisdiction:
    found = ctx.jurisdictions.get(ocd_id)
    if found is None:
        raise file.fail(f"unknown jurisdiction {ocd_id!r}", node, "jurisdiction")
    return found


def _parse_instrument(file: _File, ctx: _Context, parsed: Parsed, inst: dict[str, Any],
                      node: yaml.Node, defaults: dict[str, Any]) -> None:  # fmt: skip
    n = _nodes(node)
    slug = str(inst.get("id") or "")
    if not _ID.fullmatch(slug):
        raise file.fail(
            f"bad id {slug!r} (lower-case letters, digits and hyphens)", n.get("id", node), "id"
        )
    if slug in parsed.instruments:
        raise file.fail(f"duplicate id {slug!r} (also in {parsed.where[slug]})", n.get("id"), "id")
    ocd_id = _text(file, inst, n, "jurisdiction", default=defaults["jurisdiction"])
    jurisdiction = _jurisdiction(file, ctx, ocd_id, n.get("jurisdiction", node))
    status = _choice(file, inst, n, "status", InstrumentStatus)
    values = {
        "jurisdiction_id": jurisdiction.pk,
        "kind": _choice(file, inst, n, "kind", InstrumentKind),
        "title": _text(file, inst, n, "title", required=True),
        "citation": _text(file, inst, n, "citation", required=True),
        "url": _url(file, inst, n, "url"),
        "source_type": _choice(file, inst, n, "source_type", SourceType),
        "status": status,
        "enacted_on": _date(file, inst, n, "enacted_on"),
        "effective_on": _date(file, inst, n, "effective_on"),
        "confidence": _choice(file, inst, n, "confidence", Confidence),
        "as_of": _date(file, inst, n, "as_of", default=defaults["as_of"]),
        "summary": _text(file, inst, n, "summary"),
        "note": _text(file, inst, n, "note"),
        "source_file": f"{file.path.parent.name}/{file.path.name}",
    }
    parsed.instruments[slug] = values
    parsed.where[slug] = str(file.path)
    provisions = _items(file, inst, n, "provisions")
    if not provisions and status not in (InstrumentStatus.FAILED, InstrumentStatus.VETOED):
        raise file.fail(
            "an instrument needs at least one provision", n.get("provisions", node), "provisions"
        )
    for prov, pnode in provisions:
        pn = _nodes(pnode)
        slug_p = str(prov.get("policy") or "")
        policy = ctx.policies.get(slug_p)
        if policy is None:
            raise file.fail(f"unknown policy {slug_p!r}", pn.get("policy", pnode), "policy")
        if (slug, slug_p) in parsed.provisions:
            raise file.fail(f"{slug_p} listed twice in {slug}", pn.get("policy"), "policy")
        parsed.provisions[(slug, slug_p)] = {
            "jurisdiction": jurisdiction,
            "section": _text(file, prov, pn, "section", required=True),
            "extent": _choice(file, prov, pn, "extent", Extent, default=Extent.FULL),
            "excerpt": _text(file, prov, pn, "excerpt"),
        }
    born: dt.date | None = values["enacted_on"] or values["effective_on"]  # type: ignore[assignment]
    for event, enode in _items(file, inst, n, "events"):
        parsed.events.append(_parse_event(file, ctx, slug, event, enode, born, parsed))


def _parse_event(file: _File, ctx: _Context, slug: str, event: dict[str, Any], node: yaml.Node,
                 born: dt.date | None, parsed: Parsed) -> dict[str, Any]:  # fmt: skip
    n = _nodes(node)
    date = _date(file, event, n, "date", required=True)
    assert date is not None
    if born is not None and date < born:
        raise file.fail(
            f"event on {date} is before the instrument's enactment ({born})", n.get("date"), "date"
        )
    affected = [str(s) for s in event.get("provisions") or []]
    unknown = [s for s in affected if (slug, s) not in parsed.provisions]
    if unknown:
        raise file.fail(
            f"{unknown} are not provisions of {slug}", n.get("provisions"), "provisions"
        )
    return {
        "instrument": slug,
        "kind": _choice(file, event, n, "kind", EventKind),
        "date": date,
        "body": _text(file, event, n, "body", required=True),
        "reference": _text(file, event, n, "reference", required=True),
        "url": _url(file, event, n, "url"),
        "source_type": _choice(
            file, event, n, "source_type", SourceType, default=SourceType.SECONDARY
        ),
        "policies": affected,
        "superseded_by": _text(file, event, n, "superseded_by"),
        "note": _text(file, event, n, "note"),
        "_node": (file, n.get("superseded_by")),
    }


def _parse_file(file: _File, ctx: _Context, parsed: Parsed) -> None:
    root = _nodes(file.root)
    data = file.data
    as_of = _date(file, data, root, "as_of", required=True)
    ocd_id = _text(file, data, root, "jurisdiction", required=True)
    _jurisdiction(file, ctx, ocd_id, root.get("jurisdiction"))
    checked_by = _text(file, data, root, "researched_by", default="Firstline research team")
    defaults = {"jurisdiction": ocd_id, "as_of": as_of}
    for inst, node in _items(file, data, root, "instruments"):
        _parse_instrument(file, ctx, parsed, inst, node, defaults)
    for check, node in _items(file, data, root, "research"):
        n = _nodes(node)
        slug = str(check.get("policy") or "")
        if slug not in ctx.policies:
            raise file.fail(f"unknown policy {slug!r}", n.get("policy", node), "policy")
        where = _text(file, check, n, "jurisdiction", default=ocd_id)
        jurisdiction = _jurisdiction(file, ctx, where, n.get("jurisdiction", node))
        if (where, slug) in parsed.research:
            raise file.fail(f"duplicate research entry for {slug} in {where}", node, "policy")
        parsed.research[(where, slug)] = {
            "jurisdiction_id": jurisdiction.pk,
            "policy_id": ctx.policies[slug].pk,
            "result": _choice(file, check, n, "result", ResearchResult, default="not_in_force"),
            "checked_on": _date(file, check, n, "checked_on", default=as_of),
            "checked_by": checked_by,
            "where": _text(file, check, n, "where", required=True),
            "note": _text(file, check, n, "note"),
            "importer": IMPORTER,
            "source_file": f"{file.path.parent.name}/{file.path.name}",
        }


def evidence_parse(directory: Path) -> tuple[Parsed, _Context]:
    """Read and check every file; raise ImportFailed on the first problem."""
    paths = sorted((directory / "states").glob("*.yaml")) + sorted(
        (directory / "local").glob("*.yaml")
    )
    if not paths:
        raise ImportFailed("no states/*.yaml or local/*.yaml files", file=directory)
    files = [_File(p) for p in paths]
    ocd_ids = {
        "" if not isinstance(f.data, dict) else str(f.data.get("jurisdiction", "")) for f in files
    }
    for f in files:
        for inst in f.data.get("instruments") or []:
            if isinstance(inst, dict) and inst.get("jurisdiction"):
                ocd_ids.add(str(inst["jurisdiction"]))
        for check in f.data.get("research") or []:
            if isinstance(check, dict) and check.get("jurisdiction"):
                ocd_ids.add(str(check["jurisdiction"]))
    ctx = _Context(ocd_ids)
    parsed = Parsed()
    for f in files:
        _parse_file(f, ctx, parsed)
    for event in parsed.events:
        target = event["superseded_by"]
        if (
            target
            and target not in parsed.instruments
            and not Instrument.objects.filter(slug=target).exists()
        ):
            file, node = event["_node"]
            raise file.fail(f"unknown instrument {target!r}", node, "superseded_by")
    return parsed, ctx


def import_evidence_dir(directory: Path, *, today: dt.date | None = None) -> Counts:
    """Upsert the whole directory; statuses are derived for ``today`` (default: the real today)."""
    today = today or dt.date.today()
    parsed, ctx = evidence_parse(directory)
    why = f"{directory.name}/ (bundled evidence)"
    counts = Counts()
    existing = {i.slug: i for i in Instrument.objects.all()}
    part, _ = instruments_sync(
        rows=[SyncRow(key=slug, values=values) for slug, values in parsed.instruments.items()],
        importer=IMPORTER,
        why=why,
        existing=existing,
    )
    counts.add(part)
    counts.add(_sync_events(parsed, existing))
    counts.add(_sync_provisions(parsed, ctx, existing, today=today, why=why))
    counts.add(_sync_research(parsed))
    return counts


def _sync_events(parsed: Parsed, instruments: dict[str, Instrument]) -> Counts:
    rows = [
        {
            "instrument_id": instruments[e["instrument"]].pk,
            "kind": e["kind"],
            "date": e["date"],
            "reference": e["reference"],
            "body": e["body"],
            "url": e["url"],
            "source_type": e["source_type"],
            "policies": e["policies"],
            "superseded_by_id": instruments[e["superseded_by"]].pk if e["superseded_by"] else None,
            "note": e["note"],
            "importer": IMPORTER,
        }
        for e in parsed.events
    ]
    key = ["instrument_id", "kind", "date", "reference"]
    queryset = LegalEvent.objects.filter(importer=IMPORTER)
    counts, _pks = bulk_upsert(LegalEvent, rows, key=key, fields=EVENT_FIELDS, queryset=queryset)
    counts.add(_end(queryset, key, {tuple(r[k] for k in key) for r in rows}, "legal_event"))
    return counts


def _sync_research(parsed: Parsed) -> Counts:
    queryset = ResearchCheck.objects.filter(importer=IMPORTER)
    key = ["jurisdiction_id", "policy_id"]
    rows = list(parsed.research.values())
    before = set(queryset.values_list("jurisdiction_id", flat=True))
    counts, _pks = bulk_upsert(
        ResearchCheck, rows, key=key, fields=RESEARCH_FIELDS, queryset=queryset
    )
    counts.add(_end(queryset, key, {tuple(r[k] for k in key) for r in rows}, "research_check"))
    if counts.changed:
        # Coverage is part of every scorecard in the chain below these jurisdictions.
        jurisdictions_changed(jurisdiction_ids=before | {r["jurisdiction_id"] for r in rows})
    return counts


def _end(queryset: Any, key: list[str], wanted: set[tuple[Any, ...]], what: str) -> Counts:
    """Delete rows no longer in the files, naming them in an audit event (they keep no versions)."""
    gone_pks = [
        values["pk"]
        for values in queryset.values("pk", *key)
        if tuple(values[k] for k in key) not in wanted
    ]
    queryset = queryset.filter(pk__in=gone_pks)
    gone = [str(row) for row in queryset]
    counts = Counts()
    if gone:
        queryset.delete()
        counts.deleted = len(gone)
        audit_event_record(
            action=f"import.{IMPORTER}.removed",
            subject=f"import:{IMPORTER}",
            actor_label=IMPORTER,
            message=f"{len(gone)} {what} rows no longer in the evidence files",
            data={"removed": gone[:500]},
        )
    return counts


def _sync_provisions(parsed: Parsed, ctx: _Context, instruments: dict[str, Instrument], *,
                     today: dt.date, why: str) -> Counts:  # fmt: skip
    """One PolicyRecord per provision; the ones no longer in the files are withdrawn."""
    events: dict[str, list[EventRow]] = defaultdict(list)
    for e in parsed.events:
        events[e["instrument"]].append(EventRow(e["kind"], e["date"], tuple(e["policies"])))
    current: dict[tuple[int, str], PolicyRecord] = {
        (r.instrument_id, r.policy.slug): r  # type: ignore[misc]
        for r in PolicyRecord.objects.filter(instrument__isnull=False).select_related("policy")
    }
    per_policy: dict[str, list[SyncRow]] = defaultdict(list)
    for (slug, policy), prov in parsed.provisions.items():
        instrument = instruments[slug]
        status, _event = provision_status(
            instrument_status=instrument.status,
            enacted_on=instrument.enacted_on,
            effective_on=instrument.effective_on,
            extent=prov["extent"],
            policy=policy,
            events=events[slug],
            on=today,
        )
        jurisdiction = prov["jurisdiction"]
        found = current.pop((instrument.pk, policy), None)
        per_policy[policy].append(
            SyncRow(
                key=found.key if found else f"instrument:{slug}",
                values={
                    "instrument_id": instrument.pk,
                    "section": prov["section"],
                    "extent": prov["extent"],
                    "excerpt": prov["excerpt"],
                    "jurisdiction_id": jurisdiction.pk,
                    "level": jurisdiction.kind,
                    "usps": jurisdiction.usps,
                    "other_name": "",
                    # Not yet existing on ``today`` (dated in the future): list it as pending.
                    "status": status or RecordStatus.PENDING,
                    "instrument_kind": instrument.kind,
                    "citation": instrument.citation,
                    "year": (instrument.enacted_on or instrument.effective_on or today).year
                    if instrument.enacted_on or instrument.effective_on
                    else None,
                    "enacted_on": instrument.enacted_on,
                    "effective_on": instrument.effective_on,
                    "source_url": instrument.url,
                    "note": instrument.note,
                    "confidence": instrument.confidence,
                    "source_file": instrument.source_file,
                    "as_of": instrument.as_of,
                },
            )
        )
    for record in current.values():
        if record.importer == IMPORTER and record.status != RecordStatus.WITHDRAWN:
            per_policy[record.policy.slug].append(
                SyncRow(
                    key=record.key,
                    values={"status": RecordStatus.WITHDRAWN},
                    why=f"No longer in the bundled evidence ({why})",
                )
            )
    counts = Counts()
    for slug, rows in per_policy.items():
        part, _ = policy_records_sync(
            policy=ctx.policies[slug], rows=rows, importer=IMPORTER, why=why
        )
        counts.add(part)
    return counts

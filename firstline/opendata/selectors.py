"""Reads behind the downloads: one generator of rows per file, and the counts tests compare.

Every generator streams: querysets are read with ``.iterator()`` (a
server-side cursor on PostgreSQL, chunked fetches on SQLite) and rows are
yielded one at a time, so a writer's memory does not grow with the file. The
officials file joins offices to their current holders a batch of offices at a
time, which keeps each batch's lookup small and the queries few.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import batched
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q

from firstline.campaigns.models import CampaignStatus, Signature, SignatureStatus
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import ContactPoint, Office, Term
from firstline.opendata.geojson import county_shapes
from firstline.opendata.storage import download_meta
from firstline.policies.ice287g_importers import POLICY_SLUG as AGREEMENT_287G
from firstline.policies.models import Instrument, LegalEvent, PolicyRecord, ResearchCheck
from firstline.policies.scorecard import Scorecard, catalog_load, scorecards_compute

CHUNK = 1000
KIND_ORDER = {JurisdictionKind.STATE: 0, JurisdictionKind.COUNTY: 1, JurisdictionKind.PLACE: 2}

Row = tuple[Any, ...]


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _ocd_person_id(value: str | None) -> str:
    """Open States ids only; local roster ids are not ``ocd-person`` ids."""
    return value if value and value.startswith("ocd-person/") else ""


def _cell(value: Any) -> Any:
    """A CSV cell: ISO dates, lists joined by ';', empty for NULL."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def _stream(queryset: Any, fields: str) -> Iterator[Row]:
    """The queryset's ``fields`` (space-separated ORM paths) as CSV rows, streamed."""
    for row in queryset.values_list(*fields.split()).iterator(CHUNK):
        yield tuple(_cell(v) for v in row)


# --- Scorecards -------------------------------------------------------------------


def _scorecards_by_state(
    *, kinds: Iterable[str] = tuple(KIND_ORDER)
) -> Iterator[tuple[list[Any], dict[int, Scorecard]]]:
    """Each state's jurisdictions of these kinds, and their scorecards (one state in memory)."""
    catalog = catalog_load()
    fields = ("id", "ocd_id", "name", "kind", "usps", "geoid")
    for state_id in (
        Jurisdiction.objects.filter(kind=JurisdictionKind.STATE)
        .order_by("usps")
        .values_list("id", flat=True)
    ):
        members = list(
            Jurisdiction.objects.filter(Q(pk=state_id) | Q(state_id=state_id))
            .filter(kind__in=list(kinds))
            .values_list(*fields)
        )
        members.sort(key=lambda m: (KIND_ORDER[m[3]], m[2], m[1]))
        cards = scorecards_compute(jurisdiction_ids=[m[0] for m in members], catalog=catalog)
        yield members, cards


def scorecard_rows() -> Iterator[Row]:
    for members, cards in _scorecards_by_state():
        for jid, ocd_id, name, kind, usps, geoid in members:
            card = cards[jid]
            yield (
                ocd_id,
                name,
                kind,
                usps,
                geoid,
                card.score,
                card.grade,
                str(card.incomplete).lower(),
                card.result.core_researched,
                card.result.core_total,
                ";".join(card.result.core_missing),
            )


def scorecard_row_count() -> int:
    return Jurisdiction.objects.count()


def county_features() -> Iterator[dict[str, Any]]:
    """GeoJSON features of the atlas counties that match a county, with its scorecard."""
    by_fips: dict[str, tuple[str, str, str, Scorecard]] = {}
    for members, cards in _scorecards_by_state(kinds=[JurisdictionKind.COUNTY]):
        for jid, ocd_id, name, _kind, usps, geoid in members:
            by_fips[geoid] = (ocd_id, name, usps, cards[jid])
    for shape in county_shapes():
        found = by_fips.get(shape.fips)
        if found is None:  # 2017 shapes with no county today (CT's old counties)
            continue
        ocd_id, name, usps, card = found
        yield {
            "type": "Feature",
            "id": ocd_id,
            "properties": {
                "ocd_id": ocd_id,
                "name": name,
                "state": usps,
                "geoid": shape.fips,
                "score": card.score,
                "grade": card.grade,
                "incomplete": card.incomplete,
                "core_researched": card.result.core_researched,
                "core_total": card.result.core_total,
                "core_not_researched": list(card.result.core_missing),
            },
            "geometry": shape.geometry,
        }


def county_feature_count() -> int:
    fips = {shape.fips for shape in county_shapes()}
    return Jurisdiction.objects.filter(kind=JurisdictionKind.COUNTY, geoid__in=fips).count()


def scorecards_as_of() -> dt.date | None:
    dates = [
        PolicyRecord.objects.aggregate(d=Max("as_of"))["d"],
        Instrument.objects.aggregate(d=Max("as_of"))["d"],
        ResearchCheck.objects.aggregate(d=Max("checked_on"))["d"],
    ]
    return max((d for d in dates if d), default=None)


# --- Policy instruments, provisions and legal events ------------------------------------


def _provisions() -> Any:
    return PolicyRecord.objects.exclude(policy__slug=AGREEMENT_287G)


def instrument_rows() -> Iterator[Row]:
    return _stream(
        Instrument.objects.order_by("slug"),
        "slug jurisdiction__ocd_id jurisdiction__name jurisdiction__usps kind title citation url "
        "source_type status enacted_on effective_on confidence verified_on as_of summary note",
    )


def provision_rows() -> Iterator[Row]:
    return _stream(
        _provisions().order_by("usps", "policy__slug", "key"),
        "policy__slug key policy__kind jurisdiction__ocd_id level usps other_name "
        "instrument__slug section extent status instrument_kind citation source_url year "
        "enacted_on effective_on ended_on excerpt note confidence verified_on as_of",
    )


def legal_event_rows() -> Iterator[Row]:
    return _stream(
        LegalEvent.objects.order_by("instrument__slug", "date", "pk"),
        "instrument__slug kind date body reference url source_type policies "
        "superseded_by__slug note",
    )


def policies_as_of() -> dt.date | None:
    dates = [
        _provisions().aggregate(d=Max("as_of"))["d"],
        Instrument.objects.aggregate(d=Max("as_of"))["d"],
    ]
    return max((d for d in dates if d), default=None)


# --- ICE 287(g) agreements ----------------------------------------------------------


def _agreements() -> Any:
    return PolicyRecord.objects.filter(policy__slug=AGREEMENT_287G)


def agreement_rows() -> Iterator[Row]:
    return _stream(
        _agreements().order_by("usps", "agency_name", "key"),
        "key usps agency_name agency_type agency_county support_model status signed_on "
        "first_seen_on last_seen_on pending_first_seen_on pending_last_seen_on ended_on moa_url "
        "addendum_url level jurisdiction__ocd_id jurisdiction__name other_name match_method "
        "match_score source_file as_of",
    )


def agreements_as_of() -> dt.date | None:
    return _agreements().aggregate(d=Max("as_of"))["d"]


# --- Offices, officials and contact points ---------------------------------------------


def _current_terms() -> Any:
    return Term.objects.filter(end_date__isnull=True)


def _terms_by_office(office_ids: Iterable[int]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = defaultdict(list)
    fields = (
        "office_id",
        "person__ocd_person_id",
        "person__name",
        "person__party",
        "start_date",
        "scheduled_end_date",
        "source",
        "verified_on",
    )
    qs = _current_terms().filter(office_id__in=list(office_ids))
    for row in qs.order_by("office_id", "start_date", "person__name").values_list(*fields):
        out[row[0]].append(row[1:])
    return out


def _covers_by_office(office_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    through = Office.covers.through.objects.filter(office_id__in=list(office_ids))
    for office_id, ocd_id in through.order_by("jurisdiction__ocd_id").values_list(
        "office_id", "jurisdiction__ocd_id"
    ):
        out[office_id].append(ocd_id)
    return out


OFFICE_FIELDS = (
    "pk",
    "jurisdiction__ocd_id",
    "jurisdiction__name",
    "jurisdiction__usps",
    "district__ocd_id",
    "district__name",
    "role",
    "title",
    "title_es",
    "seat",
    "source",
)


def official_rows() -> Iterator[Row]:
    """One row per current holder of each office, and one (no holder) for each vacant or unknown seat."""
    offices = Office.objects.order_by(
        "jurisdiction__ocd_id", "role", "district__ocd_id", "seat", "pk"
    )
    stream = offices.values_list(*OFFICE_FIELDS).iterator(CHUNK)
    for batch in batched(stream, CHUNK):
        ids = [row[0] for row in batch]
        terms = _terms_by_office(ids)
        covers = _covers_by_office(ids)
        for pk, j_ocd, j_name, usps, d_ocd, d_name, role, title, title_es, seat, source in batch:
            office = (
                pk,
                d_ocd or j_ocd,
                j_ocd,
                j_name,
                usps,
                d_ocd or "",
                d_name or "",
                role,
                title,
                title_es,
                seat,
                ";".join(covers.get(pk, ())),
                source,
            )
            holders = terms.get(pk)
            if not holders:
                yield (*office, "", "", "", "", "", "", "", "")
                continue
            for person_id, name, party, start, due, t_source, verified in holders:
                yield (
                    *office,
                    _ocd_person_id(person_id),
                    person_id,
                    name,
                    party,
                    _iso(start),
                    _iso(due),
                    t_source,
                    _iso(verified),
                )


def official_row_count() -> int:
    vacant = Office.objects.filter(~Exists(_current_terms().filter(office_id=OuterRef("pk"))))
    return _current_terms().count() + vacant.count()


def _public_contacts() -> Any:
    """Office contacts, and contacts of people who hold an office now (past holders' are not shown)."""
    holding = _current_terms().filter(person_id=OuterRef("person_id"))
    return ContactPoint.objects.filter(Q(office__isnull=False) | Q(Exists(holding)))


def contact_rows() -> Iterator[Row]:
    fields = (
        "pk",
        "office_id",
        "office__title",
        "office__jurisdiction__ocd_id",
        "person__ocd_person_id",
        "person__name",
        "kind",
        "value",
        "classification",
        "note",
        "source",
        "verified_on",
    )
    qs = _public_contacts().order_by("pk").values_list(*fields)
    for (
        pk,
        office_id,
        title,
        j_ocd,
        person_id,
        name,
        kind,
        value,
        cls,
        note,
        source,
        verified,
    ) in qs.iterator(CHUNK):
        yield (
            pk,
            "office" if office_id else "person",
            office_id or "",
            title or "",
            j_ocd or "",
            _ocd_person_id(person_id),
            person_id or "",
            name or "",
            kind,
            value,
            cls,
            note,
            source,
            _iso(verified),
        )


def contact_row_count() -> int:
    return _public_contacts().count()


def officials_as_of() -> dt.date | None:
    dates = [
        _current_terms().aggregate(d=Max("verified_on"))["d"],
        _public_contacts().aggregate(d=Max("verified_on"))["d"],
    ]
    return max((d for d in dates if d), default=None)


# --- Campaigns' public signatories -----------------------------------------------------


def _public_signatures() -> Any:
    return Signature.objects.filter(status=SignatureStatus.APPROVED).exclude(
        campaign__status=CampaignStatus.DRAFT
    )


def signatory_rows() -> Iterator[Row]:
    # Organizations only: the contact columns are never selected, so never decrypted.
    return _stream(
        _public_signatures().order_by("campaign__slug", "organization__name", "pk"),
        "campaign__slug campaign__title campaign__status organization__name organization__type "
        "organization__home_jurisdiction__ocd_id organization__home_jurisdiction__usps "
        "decided_at",
    )


def signatory_row_count() -> int:
    return _public_signatures().count()


def signatories_as_of() -> dt.date | None:
    found = _public_signatures().aggregate(d=Max("decided_at"))["d"]
    return found.date() if found else None


def instrument_row_count() -> int:
    return Instrument.objects.count()


def provision_row_count() -> int:
    return _provisions().count()


def legal_event_row_count() -> int:
    return LegalEvent.objects.count()


def agreement_row_count() -> int:
    return _agreements().count()


# --- The Data page --------------------------------------------------------------------


def data_page(datasets: Any) -> list[dict[str, Any]]:
    """Each dataset with each file's provenance sidecar (None before its first generation)."""
    return [
        {
            "dataset": dataset,
            "files": [{"file": f, "meta": download_meta(name=f.name)} for f in dataset.files],
        }
        for dataset in datasets.values()
    ]

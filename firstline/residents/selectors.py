"""The resident lookup: ZIP (or place name) -> jurisdictions, districts, offices, gaps.

Everything here is a read of public reference data. The ZIP is an argument and
part of the returned object, and nothing in this module writes it anywhere:
no cache key, no log line, no row (see docs/residents.md).

Ambiguity is kept, never hidden: a ZIP is an area, and it can span several
counties, places and districts. Candidates are ranked by the share of the
ZCTA's land they cover (districts have no area in our data, so every touching
district is a candidate), the best one is *preselected*, and ``certain`` says
whether the resident confirmed it or the ZIP leaves no doubt.
"""

from __future__ import annotations

import random
import re
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from firstline.geo.models import (
    Chamber,
    District,
    Jurisdiction,
    JurisdictionKind,
)
from firstline.geo.selectors import jurisdiction_search
from firstline.officials.models import ContactKind, ContactPoint, Office, Role, Term
from firstline.officials.roles import Level, role_order, roles_at

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-?\d{4})?\s*$")
# A weight at or above this leaves no reasonable doubt about a single candidate.
CERTAIN_WEIGHT = 0.95

STATE_ROLES = (Role.GOVERNOR,)
LEGISLATOR_ROLES = (Role.STATE_SENATOR, Role.STATE_REPRESENTATIVE, Role.LEGISLATOR)
COUNTY_ROLES = roles_at(Level.COUNTY)
PLACE_ROLES = roles_at(Level.PLACE)


class LookupError_(Exception):
    """A lookup that cannot be answered; ``code`` is stable for the API."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


MESSAGES = {
    "missing": _("Enter a 5-digit ZIP code, or a city and state such as “Houston, TX”."),
    "malformed": _("“%(value)s” is not a ZIP code. A ZIP code has 5 digits, for example 77002."),
    "not_zcta": _(
        "We have no area for ZIP code %(value)s. It may be a PO-box-only or single-building ZIP, "
        "or it may not exist. Try the ZIP code of where you live, or search by city."
    ),
    "no_place": _("We found no city, town or county named “%(value)s”."),
}


def lookup_error(code: str, value: str = "", status: int = 400) -> LookupError_:
    return LookupError_(code, str(MESSAGES[code]) % {"value": value[:60]}, status)


# --- result objects ---------------------------------------------------------------


@dataclass
class Contact:
    kind: str
    value: str
    label: str


@dataclass
class OfficeView:
    office: Office
    holders: list[str]
    emails: list[str]
    phones: list[Contact]
    other: list[Contact]
    # A holder whose scheduled term ended with no successor on record: shown, with a warning.
    unconfirmed_since: date | None = None

    @property
    def id(self) -> int:
        return self.office.pk

    @property
    def can_email(self) -> bool:
        return bool(self.emails)


@dataclass
class Gap:
    slug: str
    name: str
    summary: str
    weight: int
    actors: list[str]  # role labels
    harmful: bool = False


@dataclass
class Candidate:
    jurisdiction: Jurisdiction
    weight: float | None
    selected: bool = False


@dataclass
class DistrictCandidate:
    district: District
    selected: bool
    offices: list[OfficeView] = field(default_factory=list)


@dataclass
class JurisdictionBlock:
    jurisdiction: Jurisdiction
    score: float | None = None
    grade: str | None = None
    gaps: list[Gap] = field(default_factory=list)
    harms: list[Gap] = field(default_factory=list)
    offices: list[OfficeView] = field(default_factory=list)
    agreements_287g: list[dict[str, Any]] = field(default_factory=list)
    scorecard_available: bool = False


@dataclass
class LookupResult:
    zip: str | None
    query: str | None
    state: JurisdictionBlock
    county: JurisdictionBlock | None
    place: JurisdictionBlock | None
    counties: list[Candidate]
    places: list[Candidate]
    unincorporated_share: float | None
    county_certain: bool
    place_certain: bool
    chambers: dict[str, list[DistrictCandidate]]
    districts_certain: bool
    place_matches: list[Jurisdiction] = field(default_factory=list)

    @property
    def blocks(self) -> list[JurisdictionBlock]:
        return [b for b in (self.state, self.county, self.place) if b is not None]


# --- parsing ----------------------------------------------------------------------


def zip_parse(*, text: str) -> str:
    """Return the 5-digit ZIP in ``text`` or raise a LookupError_ with a clear message."""
    text = (text or "").strip()
    if not text:
        raise lookup_error("missing")
    match = ZIP_RE.match(text)
    if not match:
        raise lookup_error("malformed", text)
    return match.group(1)


def looks_like_zip(text: str) -> bool:
    return bool(re.match(r"^\s*[\d\-\s]+\s*$", text or ""))


# --- the lookup -------------------------------------------------------------------


def _rank(links: Iterable[tuple[Jurisdiction, float | None]], kind: str) -> list[Candidate]:
    found = [
        Candidate(jurisdiction=jurisdiction, weight=weight)
        for jurisdiction, weight in links
        if jurisdiction.kind == kind
    ]
    # Incorporated places first (they have a government to write to), then by overlap.
    found.sort(
        key=lambda c: (not c.jurisdiction.incorporated, -(c.weight or 0), c.jurisdiction.name)
    )
    return found


def _pick(candidates: list[Candidate], picked: str | None) -> Candidate | None:
    if picked:
        for cand in candidates:
            if cand.jurisdiction.ocd_id == picked:
                return cand
    return None


def resident_lookup(
    *,
    zip_text: str | None = None,
    place_query: str | None = None,
    county: str | None = None,
    place: str | None = None,
    districts: Iterable[str] = (),
) -> LookupResult:
    """The whole lookup. ``county``, ``place`` and ``districts`` are the resident's picks
    (ocd ids) among the candidates; ``place="none"`` means "not in a city or town"."""
    memo_refresh()
    if zip_text is not None and (zip_text.strip() or not place_query):
        code = zip_parse(text=zip_text)
        zcta = _zcta_rows(code)
        if zcta is None:
            raise lookup_error("not_zcta", code, status=404)
        return _lookup_zcta(zcta=zcta, code=code, county=county, place=place, districts=districts)
    query = (place_query or "").strip()[:100]
    if not query:
        raise lookup_error("missing")
    if looks_like_zip(query):
        return resident_lookup(zip_text=query, county=county, place=place, districts=districts)
    return _lookup_place(query=query, picked=place)


@dataclass
class _ZctaRows:
    state: Jurisdiction
    links: list[tuple[Jurisdiction, float | None]]
    districts: list[District]


class ZctaIndex:
    """Every ZCTA's state, overlapping jurisdictions (with weights) and districts, in flat
    arrays sorted by code: about 3 MB for the 34,000 ZCTAs, read with one binary search.

    It is public Census geography loaded whole, so its content does not depend on
    which ZIPs residents typed (a per-ZIP cache would be a list of them in memory).
    """

    def __init__(self) -> None:
        from django.db import connection

        # Rows are streamed in code order straight into the arrays (no list of
        # 100,000 tuples: the load takes about 0.3 s and peaks at a few MB).
        with connection.cursor() as cursor:
            # Only ZCTAs with a state can be answered; the others read as "no area".
            cursor.execute(
                "SELECT code, state_id FROM geo_zcta WHERE state_id IS NOT NULL ORDER BY code"
            )
            self.codes = array("i")
            self.states = array("q")
            for code, state_id in cursor:
                self.codes.append(int(code))
                self.states.append(state_id)
            position = {code: i for i, code in enumerate(self.codes)}
            self.link_ids = array("q")
            self.link_weights = array("d")
            cursor.execute(
                "SELECT z.code, l.jurisdiction_id, l.weight FROM geo_zctajurisdiction l"
                " JOIN geo_zcta z ON z.id = l.zcta_id WHERE z.state_id IS NOT NULL"
                " ORDER BY z.code"
            )
            counts = array("i", bytes(4 * len(self.codes)))
            for code, jid, weight in cursor:
                counts[position[int(code)]] += 1
                self.link_ids.append(jid)
                self.link_weights.append(-1.0 if weight is None else float(weight))
            self.link_start = self._starts(counts)
            self.district_ids = array("q")
            cursor.execute(
                "SELECT z.code, d.district_id FROM geo_zctadistrict d"
                " JOIN geo_zcta z ON z.id = d.zcta_id WHERE z.state_id IS NOT NULL"
                " ORDER BY z.code"
            )
            counts = array("i", bytes(4 * len(self.codes)))
            for code, did in cursor:
                counts[position[int(code)]] += 1
                self.district_ids.append(did)
            self.district_start = self._starts(counts)

    @staticmethod
    def _starts(counts: array[int]) -> array[int]:
        starts = array("i", [0])
        total = 0
        for n in counts:
            total += n
            starts.append(total)
        return starts

    def get(self, code: str) -> tuple[int, list[tuple[int, float | None]], list[int]] | None:
        """``(state id, [(jurisdiction id, weight)], [district id])`` of a 5-digit code."""
        number = int(code)
        i = bisect_left(self.codes, number)
        if i == len(self.codes) or self.codes[i] != number:
            return None
        a, b = self.link_start[i], self.link_start[i + 1]
        links = [
            (jid, None if w < 0 else w)
            for jid, w in zip(self.link_ids[a:b], self.link_weights[a:b], strict=True)
        ]
        c, d = self.district_start[i], self.district_start[i + 1]
        return self.states[i], links, list(self.district_ids[c:d])


_zcta_index: list[ZctaIndex] = []


def zcta_index() -> ZctaIndex:
    if not _zcta_index:
        _zcta_index.append(ZctaIndex())
    return _zcta_index[0]


def _zcta_rows(code: str) -> _ZctaRows | None:
    """The ZCTA's state, overlaps and districts from the in-process index, then the
    jurisdictions and districts themselves from the per-id memo: no query when warm."""
    found_zcta = zcta_index().get(code)
    if found_zcta is None:
        return None
    state_id, weights, district_ids = found_zcta
    found = _by_id(Jurisdiction, _rows, [state_id, *(jid for jid, _w in weights)])
    if state_id not in found:
        return None
    links = [(found[jid], w) for jid, w in weights if jid in found]
    by_id = _by_id(District, _rows, district_ids)
    rows = sorted(by_id.values(), key=lambda d: (d.chamber, _natural(d.name)))
    return _ZctaRows(state=found[state_id], links=links, districts=rows)


def _natural(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1 << 30, name)


def _by_id(
    model: Any, memo: dict[tuple[Any, ...], tuple[float, Any]], ids: list[int]
) -> dict[int, Any]:
    now = time.monotonic()
    tag = model.__name__
    out: dict[int, Any] = {}
    missing = []
    for pk in ids:
        hit = memo.get((tag, pk))
        if hit is not None and hit[0] > now:
            out[pk] = hit[1]
        else:
            missing.append(pk)
    if missing:
        qs = model.objects.filter(pk__in=missing)
        if model is District:
            qs = qs.select_related("state")
        for obj in qs:
            out[obj.pk] = obj
            _memo_put(memo, (tag, obj.pk), obj, now)
    return out


def _lookup_zcta(
    *, zcta: _ZctaRows, code: str, county: str | None, place: str | None, districts: Iterable[str]
) -> LookupResult:
    links = zcta.links
    counties = _rank(links, JurisdictionKind.COUNTY)
    all_places = _rank(links, JurisdictionKind.PLACE)
    places = [c for c in all_places if c.jurisdiction.incorporated]
    incorporated_share = sum(c.weight or 0 for c in places)
    unincorporated = max(0.0, 1.0 - incorporated_share) if places else 1.0

    chosen_county = _pick(counties, county) or (counties[0] if counties else None)
    county_certain = bool(
        (county and chosen_county and chosen_county.jurisdiction.ocd_id == county)
        or (len(counties) == 1 and (counties[0].weight or 0) >= CERTAIN_WEIGHT)
    )
    chosen_place: Candidate | None
    if place == "none":
        chosen_place, place_certain = None, True
    else:
        chosen_place = _pick(places, place)
        place_certain = chosen_place is not None
        if chosen_place is None and places and (places[0].weight or 0) >= unincorporated:
            chosen_place = places[0]
        if not place_certain:
            place_certain = bool(
                len(places) == 1 and (places[0].weight or 0) >= CERTAIN_WEIGHT
            ) or (not places)
    for cand in counties:
        cand.selected = cand is chosen_county
    for cand in places:
        cand.selected = cand is chosen_place

    picked = set(districts)
    chambers: dict[str, list[DistrictCandidate]] = {}
    for district in zcta.districts:
        chambers.setdefault(district.chamber, []).append(
            DistrictCandidate(district=district, selected=district.ocd_id in picked)
        )
    for chamber, cands in chambers.items():
        if len(cands) == 1:
            cands[0].selected = True
        elif any(c.selected for c in cands):
            # The resident picked one: drop the others from the result.
            chambers[chamber] = [c for c in cands if c.selected]
    districts_certain = all(len(c) == 1 for c in chambers.values())

    return _assemble(
        zip_code=code,
        query=None,
        state=zcta.state,
        county=chosen_county.jurisdiction if chosen_county else None,
        place=chosen_place.jurisdiction if chosen_place else None,
        counties=counties,
        places=places,
        unincorporated_share=unincorporated if places else None,
        county_certain=county_certain,
        place_certain=place_certain,
        chambers=chambers,
        districts_certain=districts_certain,
    )


def _lookup_place(*, query: str, picked: str | None) -> LookupResult:
    matches = list(jurisdiction_search(query=query, limit=10))
    matches = [m for m in matches if m.kind != JurisdictionKind.STATE] or matches
    if not matches:
        raise lookup_error("no_place", query, status=404)
    chosen = next((m for m in matches if m.ocd_id == picked), None)
    certain = chosen is not None
    if chosen is None:
        name = query.split(",")[0].strip().lower()
        exact = [m for m in matches if m.short_name.lower() == name or m.name.lower() == name]
        # "Houston, TX" names both a city and a county: a person typing a name
        # most likely means the city, but the others stay offered as choices.
        exact.sort(key=lambda m: (m.kind != JurisdictionKind.PLACE, -(m.population or 0)))
        chosen = (exact or matches)[0]
        certain = len(matches) == 1 or len(exact) == 1
    state = chosen.state if chosen.kind != JurisdictionKind.STATE else chosen
    county = place = None
    counties: list[Candidate] = []
    if chosen.kind == JurisdictionKind.COUNTY:
        county = chosen
        counties = [Candidate(jurisdiction=chosen, weight=None, selected=True)]
    elif chosen.kind == JurisdictionKind.PLACE:
        place = chosen
        county = chosen.county
        if county is not None:
            counties = [Candidate(jurisdiction=county, weight=None, selected=True)]
    assert state is not None
    result = _assemble(
        zip_code=None,
        query=query,
        state=state,
        county=county,
        place=place,
        counties=counties,
        places=[Candidate(jurisdiction=place, weight=None, selected=True)] if place else [],
        unincorporated_share=None,
        county_certain=certain,
        place_certain=certain,
        chambers={},
        districts_certain=False,
    )
    result.place_matches = [m for m in matches if m.pk != chosen.pk]
    return result


# --- offices and scorecards ---------------------------------------------------------


def _contacts_view(
    contacts: Iterable[ContactPoint],
) -> tuple[list[str], list[Contact], list[Contact]]:
    emails: list[str] = []
    phones: list[Contact] = []
    other: list[Contact] = []
    for c in contacts:
        label = c.classification or c.note
        if c.kind == ContactKind.EMAIL:
            if c.value not in emails:
                emails.append(c.value)
        elif c.kind == ContactKind.PHONE:
            phones.append(Contact(kind=c.kind, value=c.value, label=label))
        elif c.kind in (ContactKind.ADDRESS, ContactKind.WEB, ContactKind.WEBFORM):
            other.append(Contact(kind=c.kind, value=c.value, label=label))
    return emails, phones, other


def office_views(*, offices: Iterable[Office]) -> list[OfficeView]:
    """Offices (prefetched with ``offices_queryset``) with current holders and contacts."""
    views = []
    for office in offices:
        terms = list(office.current_terms)  # type: ignore[attr-defined]
        holders = [t.person.name for t in terms]
        contacts: list[ContactPoint] = []
        for t in terms:
            contacts.extend(t.person.contacts.all())
        contacts.extend(office.contacts.all())
        emails, phones, other = _contacts_view(contacts)
        today = timezone.localdate()
        unconfirmed = [d for t in terms if (d := t.unconfirmed_since(today))]
        views.append(
            OfficeView(
                office=office,
                holders=holders,
                emails=emails,
                phones=phones,
                other=other,
                unconfirmed_since=min(unconfirmed) if unconfirmed else None,
            )
        )
    views.sort(
        key=lambda v: (
            role_order(v.office.role),
            v.office.district.name if v.office.district else "",
            v.office.seat,
        )
    )
    return views


def offices_queryset():  # type: ignore[no-untyped-def]
    return Office.objects.select_related("district", "jurisdiction").prefetch_related(
        Prefetch(
            "terms",
            queryset=Term.objects.filter(end_date__isnull=True)
            .select_related("person")
            .prefetch_related("person__contacts"),
            to_attr="current_terms",
        ),
        "contacts",
    )


def scorecards(jurisdictions: list[Jurisdiction]) -> dict[int, dict[str, Any]]:
    from firstline.residents import integrations

    return integrations.scorecards_for(jurisdictions)


def _agreements_287g(county: Jurisdiction | None) -> list[dict[str, Any]]:
    if county is None:
        return []
    from firstline.residents import integrations

    return integrations.agreements_287g(county)


# Public reference data per jurisdiction and per district (offices, holders,
# contacts, scorecard, 287(g)) is kept in each worker's memory: a warm lookup
# then makes no query at all. The keys are jurisdiction and district ids, never
# a ZIP code, and nothing here is written anywhere.
#
# Freshness: at most every STAMP_SECONDS a worker reads a version stamp of the
# tables the memo is built from (one query of MAX/COUNT aggregates) and drops
# what depends on a table that changed. Every path that changes a policy record
# (the services behind the admin, the staff workflow and the importers) moves
# the record's updated_at or adds a PolicyRecordVersion, so a lookup reflects a
# policy change at most STAMP_SECONDS after its commit. New or ended terms, new
# or removed contacts and offices, and a geography reload are caught the same
# way. In-place edits the stamp cannot see (a contact's value, a policy's
# wording) wait for the entry's own expiry, MEMO_SECONDS (jittered so that the
# entries of a warm worker do not all expire in the same second).
STAMP_SECONDS = 2.0
MEMO_SECONDS = 600.0
MEMO_MAX = 20_000
_rows: dict[tuple[Any, ...], tuple[float, Any]] = {}  # Jurisdiction/District rows (geography)
_blocks: dict[tuple[Any, ...], tuple[float, Any]] = {}  # per jurisdiction and language
_offices: dict[tuple[Any, ...], tuple[float, Any]] = {}  # per district
_stamp: dict[str, Any] = {
    "checked": -STAMP_SECONDS,
    "policies": None,
    "officials": None,
    "geo": None,
}


def _memo_put(
    memo: dict[tuple[Any, ...], tuple[float, Any]], key: tuple[Any, ...], value: Any, now: float
) -> None:
    if len(memo) >= MEMO_MAX:
        memo.clear()
    memo[key] = (now + MEMO_SECONDS * random.uniform(0.8, 1.0), value)


def _memoized(
    memo: dict[tuple[Any, ...], tuple[float, Any]], key: tuple[Any, ...], compute: Any
) -> Any:
    now = time.monotonic()
    hit = memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _memo_put(memo, key, value, now)
    return value


def lookup_memo_clear() -> None:
    from firstline.residents import integrations

    _rows.clear()
    _blocks.clear()
    _offices.clear()
    _zcta_index.clear()
    integrations.catalog_forget()
    _stamp.update(checked=-STAMP_SECONDS, policies=None, officials=None, geo=None)


# One row of aggregates over the tables the memo is built from; every part is an
# index-only MAX or a COUNT of a table of at most ~50,000 rows (about 3 ms).
_STAMP_SQL = """
SELECT
  (SELECT COUNT(*) FROM policies_policyrecord),
  (SELECT MAX(updated_at) FROM policies_policyrecord),
  (SELECT MAX(id) FROM policies_policyrecordversion),
  (SELECT COUNT(*) FROM policies_policy),
  (SELECT COUNT(*) FROM officials_term),
  (SELECT MAX(id) FROM officials_term),
  (SELECT COUNT(end_date) FROM officials_term),
  (SELECT COUNT(*) FROM officials_contactpoint),
  (SELECT MAX(id) FROM officials_contactpoint),
  (SELECT COUNT(*) FROM officials_office),
  (SELECT MAX(id) FROM officials_office),
  (SELECT COUNT(*) FROM geo_zcta),
  (SELECT MAX(id) FROM geo_zcta),
  (SELECT MAX(id) FROM geo_zctajurisdiction),
  (SELECT MAX(id) FROM geo_zctadistrict),
  (SELECT MAX(id) FROM geo_jurisdiction),
  (SELECT MAX(id) FROM geo_district)
"""


def _stamp_read() -> dict[str, tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        row = tuple(cursor.fetchone())
    return {"policies": row[:4], "officials": row[4:11], "geo": row[11:]}


def memo_refresh(*, force: bool = False) -> None:
    """Drop memoized data whose source tables changed (checked at most every STAMP_SECONDS)."""
    now = time.monotonic()
    if not force and now - _stamp["checked"] < STAMP_SECONDS:
        return
    stamp = _stamp_read()
    _stamp["checked"] = now
    if _stamp["geo"] is not None and stamp["geo"] != _stamp["geo"]:
        # Blocks and office lists hold jurisdiction and district rows too.
        _rows.clear()
        _zcta_index.clear()
        _blocks.clear()
        _offices.clear()
    if _stamp["officials"] is not None and stamp["officials"] != _stamp["officials"]:
        _blocks.clear()
        _offices.clear()
    if _stamp["policies"] is not None and stamp["policies"] != _stamp["policies"]:
        from firstline.residents import integrations

        _blocks.clear()
        integrations.catalog_forget()
    _stamp.update(stamp)


def _jurisdiction_where(jurisdiction: Jurisdiction) -> Q:
    if jurisdiction.kind == JurisdictionKind.STATE:
        # At-large legislators of the state itself: DC's council has no districts in our data.
        return Q(jurisdiction=jurisdiction, role__in=(*STATE_ROLES, Role.MAYOR)) | Q(
            jurisdiction=jurisdiction, role__in=LEGISLATOR_ROLES, district__isnull=True
        )
    roles = COUNTY_ROLES if jurisdiction.kind == JurisdictionKind.COUNTY else PLACE_ROLES
    # A multi-county prosecutorial district's office sits in one county and covers the rest.
    return Q(jurisdiction=jurisdiction, role__in=roles) | Q(covers=jurisdiction, role__in=roles)


def _block_compute(jurisdiction: Jurisdiction) -> JurisdictionBlock:
    block = JurisdictionBlock(jurisdiction=jurisdiction)
    block.offices = office_views(
        offices=offices_queryset().filter(_jurisdiction_where(jurisdiction)).distinct()
    )
    card = scorecards([jurisdiction]).get(jurisdiction.pk)
    if card is not None:
        usps = jurisdiction.usps
        block.scorecard_available = True
        block.score, block.grade = card.get("score"), card.get("grade")
        block.gaps = [gap_from(g, jurisdiction.kind, usps=usps) for g in card.get("gaps", [])]
        block.harms = [
            gap_from(g, jurisdiction.kind, harmful=True, usps=usps) for g in card.get("harms", [])
        ]
    if jurisdiction.kind == JurisdictionKind.COUNTY:
        block.agreements_287g = _agreements_287g(jurisdiction)
    return block


def jurisdiction_block_for(jurisdiction: Jurisdiction) -> JurisdictionBlock:
    lang = translation.get_language() or "en"
    return _memoized(_blocks, (jurisdiction.pk, lang), lambda: _block_compute(jurisdiction))


def district_offices(district: District) -> list[OfficeView]:
    return _memoized(
        _offices,
        (district.pk,),
        lambda: office_views(offices=offices_queryset().filter(district=district)),
    )


def _assemble(
    *,
    zip_code: str | None,
    query: str | None,
    state: Jurisdiction,
    county: Jurisdiction | None,
    place: Jurisdiction | None,
    counties: list[Candidate],
    places: list[Candidate],
    unincorporated_share: float | None,
    county_certain: bool,
    place_certain: bool,
    chambers: dict[str, list[DistrictCandidate]],
    districts_certain: bool,
) -> LookupResult:
    for cands in chambers.values():
        for cand in cands:
            cand.offices = district_offices(cand.district)
    chamber_order: dict[str, int] = {Chamber.UPPER: 0, Chamber.UNICAMERAL: 0, Chamber.LOWER: 1}
    return LookupResult(
        zip=zip_code,
        query=query,
        state=jurisdiction_block_for(state),
        county=jurisdiction_block_for(county) if county else None,
        place=jurisdiction_block_for(place) if place else None,
        counties=counties,
        places=places,
        unincorporated_share=unincorporated_share,
        county_certain=county_certain,
        place_certain=place_certain,
        chambers=dict(sorted(chambers.items(), key=lambda kv: chamber_order.get(kv[0], 2))),
        districts_certain=districts_certain,
    )


ACTOR_LABELS: dict[str, tuple[Any, ...]] = {
    JurisdictionKind.STATE: (_("Governor"), _("State legislators")),
    JurisdictionKind.COUNTY: (_("County executive and board"),),
    JurisdictionKind.PLACE: (_("Mayor"), _("City council")),
}


def gap_from(raw: dict[str, Any], kind: str, harmful: bool = False, usps: str = "") -> Gap:
    labels = ACTOR_LABELS.get(kind, ())
    if usps == "DC" and kind == JurisdictionKind.STATE:
        labels = ACTOR_LABELS[JurisdictionKind.PLACE]
    actors = [str(label) for label in labels]
    if kind == JurisdictionKind.COUNTY and "sheriff" in raw.get("levels", []):
        actors.append(str(Role.SHERIFF.label))
    return Gap(
        slug=raw["slug"],
        name=raw["name"],
        summary=raw.get("summary", ""),
        weight=raw.get("weight", 1),
        actors=actors,
        harmful=harmful,
    )


def office_for_contact(*, office_id: int) -> OfficeView | None:
    office = offices_queryset().filter(pk=office_id).first()
    if office is None:
        return None
    return office_views(offices=[office])[0]


def jurisdiction_block(*, ocd_id: str) -> JurisdictionBlock | None:
    """One jurisdiction with its scorecard and its at-large offices (not districts)."""
    memo_refresh()
    jurisdiction = Jurisdiction.objects.filter(ocd_id=ocd_id).first()
    if jurisdiction is None:
        return None
    return jurisdiction_block_for(jurisdiction)

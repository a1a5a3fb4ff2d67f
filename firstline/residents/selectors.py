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

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from firstline.geo import zcta_index as geo_index
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
    coverage: dict[str, Any] | None = None  # research coverage of the core policies


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

    @property
    def harms(self) -> list[Gap]:
        """Harmful policies in force at any level, once (a state's reach every level below)."""
        seen: dict[str, Gap] = {}
        for block in self.blocks:
            for gap in block.harms:
                seen.setdefault(gap.slug, gap)
        return list(seen.values())

    @property
    def glossary(self) -> list[Gap]:
        """Every gap and harm of every level, once: the levels name them, this describes them."""
        seen: dict[str, Gap] = {}
        for block in self.blocks:
            for gap in (*block.harms, *block.gaps):
                seen.setdefault(gap.slug, gap)
        return list(seen.values())


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
    _generation()
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


def _zcta_rows(code: str) -> _ZctaRows | None:
    """The ZCTA's state, overlaps and districts from geo's index, then the
    jurisdictions and districts themselves."""
    found_zcta = geo_index.zcta_index(version=_checked[1]).get(code)
    if found_zcta is None:
        return None
    state_id, weights, district_ids = found_zcta
    found = _rows(Jurisdiction, [state_id, *(jid for jid, _w in weights)])
    if state_id not in found:
        return None
    links = [(found[jid], w) for jid, w in weights if jid in found]
    by_id = _rows(District, district_ids)
    rows = sorted(by_id.values(), key=lambda d: (d.chamber, _natural(d.name)))
    return _ZctaRows(state=found[state_id], links=links, districts=rows)


def _natural(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1 << 30, name)


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


# Public reference data per jurisdiction and language (offices, holders,
# contacts, scorecard, 287(g)) and per district (its legislators) is kept in
# Django's cache, shared by every process. Keys are jurisdiction and district
# ids, never a ZIP code. Each entry carries the generation it was computed
# under; the apps that own the data publish signals when it changes
# (``officials_changed``, ``scorecards_changed``, ``geography_changed``) and
# residents answers each by starting a new generation, so older entries are
# ignored from the next lookup on. An entry computed from data read before a
# change carries the generation read before it too, so it cannot outlive it.
# CACHE_SECONDS bounds edits no signal announces.
CACHE_SECONDS = 3600
GENERATION_KEY = "residents:generation"

# Each process also keeps what it read from the shared cache, decoded, with
# the jurisdiction and district rows, for as long as the generation it was
# read under is current. It re-reads the generation (with the ZCTA index's
# version, one cache read) at most every GENERATION_CHECK_SECONDS, so a change
# reaches every process at most that long after its signal; the process that
# sent it, at once. Why: unpickling the blocks on every lookup made a warm
# lookup more than 10x slower (figures in docs/residents.md, "Speed").
GENERATION_CHECK_SECONDS = 1.0
LOCAL_MAX = 20_000
_local: dict[str, Any] = {}
# [generation, ZCTA index version, monotonic time of the last check]
_checked: list[Any] = ["", None, -GENERATION_CHECK_SECONDS]


def cache_generation_new(**kwargs: Any) -> None:
    """Receiver for the owning apps' change signals (connected in apps.py)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    local_copies_clear()


def _generation() -> str:
    """The current generation; this process's copies are dropped when it moved."""
    now = time.monotonic()
    if now - _checked[2] < GENERATION_CHECK_SECONDS:
        return str(_checked[0])
    found = cache.get_many([GENERATION_KEY, geo_index.VERSION_KEY])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    if generation != _checked[0]:
        _local.clear()
    _checked[:] = [generation, found.get(geo_index.VERSION_KEY), now]
    return str(generation)


def local_copies_clear() -> None:
    """Forget this process's copies; the next lookup re-reads the generation."""
    _local.clear()
    _checked[:] = ["", None, -GENERATION_CHECK_SECONDS]


def _local_put(values: dict[str, Any]) -> None:
    if len(_local) + len(values) > LOCAL_MAX:
        _local.clear()
    _local.update(values)


def _rows(model: Any, ids: list[int]) -> dict[int, Any]:
    """Jurisdiction or District rows by id (geography: a change starts a new generation)."""
    prefix = f"row:{model.__name__}:"
    found = {pk: _local[prefix + str(pk)] for pk in ids if prefix + str(pk) in _local}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        qs = model.objects.filter(pk__in=missing)
        if model is District:
            qs = qs.select_related("state")
        fetched = {obj.pk: obj for obj in qs}
        _local_put({prefix + str(pk): obj for pk, obj in fetched.items()})
        found.update(fetched)
    return found


def _block_key(jurisdiction_id: int, language: str) -> str:
    return f"residents:block:{jurisdiction_id}:{language}"


def _district_key(district_id: int) -> str:
    return f"residents:district:{district_id}"


def _cached(keys: Iterable[str], generation: str) -> dict[str, Any]:
    """Of ``keys``, the entries computed under ``generation``: this process's
    copies, then one read of the shared cache for the rest."""
    found = {key: _local[key] for key in keys if key in _local}
    missing = [key for key in keys if key not in found]
    if missing:
        shared = cache.get_many(missing)
        fresh = {key: value for key, (gen, value) in shared.items() if gen == generation}
        _local_put(fresh)
        found.update(fresh)
    return found


def _jurisdiction_where(jurisdiction: Jurisdiction) -> Q:
    if jurisdiction.kind == JurisdictionKind.STATE:
        # At-large legislators of the state itself: DC's council has no districts in our data.
        return Q(jurisdiction=jurisdiction, role__in=(*STATE_ROLES, Role.MAYOR)) | Q(
            jurisdiction=jurisdiction, role__in=LEGISLATOR_ROLES, district__isnull=True
        )
    roles = COUNTY_ROLES if jurisdiction.kind == JurisdictionKind.COUNTY else PLACE_ROLES
    # A multi-county prosecutorial district's office sits in one county and covers the rest.
    return Q(jurisdiction=jurisdiction, role__in=roles) | Q(covers=jurisdiction, role__in=roles)


def _block_compute(
    jurisdiction: Jurisdiction, cards: dict[int, dict[str, Any]]
) -> JurisdictionBlock:
    block = JurisdictionBlock(jurisdiction=jurisdiction)
    block.offices = office_views(
        offices=offices_queryset().filter(_jurisdiction_where(jurisdiction)).distinct()
    )
    card = cards.get(jurisdiction.pk)
    if card is not None:
        usps = jurisdiction.usps
        block.scorecard_available = True
        block.score, block.grade = card.get("score"), card.get("grade")
        block.coverage = card.get("coverage")
        block.gaps = [gap_from(g, jurisdiction.kind, usps=usps) for g in card.get("gaps", [])]
        block.harms = [
            gap_from(g, jurisdiction.kind, harmful=True, usps=usps) for g in card.get("harms", [])
        ]
    if jurisdiction.kind == JurisdictionKind.COUNTY:
        block.agreements_287g = _agreements_287g(jurisdiction)
    return block


def _blocks_and_offices(
    jurisdictions: list[Jurisdiction], districts: list[District]
) -> tuple[dict[int, JurisdictionBlock], dict[int, list[OfficeView]]]:
    """Each jurisdiction's block (in the active language) and each district's
    legislators: from the cache, computing and storing what is missing."""
    language = translation.get_language() or "en"
    wanted: dict[str, Jurisdiction | District] = {
        _block_key(j.pk, language): j for j in jurisdictions
    }
    wanted.update({_district_key(d.pk): d for d in districts})
    generation = _generation()
    found = _cached(wanted, generation)
    missing = [j for j in jurisdictions if _block_key(j.pk, language) not in found]
    cards = scorecards(missing) if missing else {}
    fresh: dict[str, Any] = {}
    for key, source in wanted.items():
        if key in found:
            continue
        if isinstance(source, District):
            fresh[key] = office_views(offices=offices_queryset().filter(district=source))
        else:
            fresh[key] = _block_compute(source, cards)
    if fresh:
        cache.set_many({k: (generation, v) for k, v in fresh.items()}, CACHE_SECONDS)
        _local_put(fresh)
    found.update(fresh)
    blocks = {j.pk: found[_block_key(j.pk, language)] for j in jurisdictions}
    offices = {d.pk: found[_district_key(d.pk)] for d in districts}
    return blocks, offices


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
    levels = [j for j in (state, county, place) if j is not None]
    blocks, offices = _blocks_and_offices(
        levels, [cand.district for cands in chambers.values() for cand in cands]
    )
    for cands in chambers.values():
        for cand in cands:
            cand.offices = offices[cand.district.pk]
    chamber_order: dict[str, int] = {Chamber.UPPER: 0, Chamber.UNICAMERAL: 0, Chamber.LOWER: 1}
    return LookupResult(
        zip=zip_code,
        query=query,
        state=blocks[state.pk],
        county=blocks[county.pk] if county else None,
        place=blocks[place.pk] if place else None,
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
    _generation()
    jurisdiction = Jurisdiction.objects.filter(ocd_id=ocd_id).first()
    if jurisdiction is None:
        return None
    return _blocks_and_offices([jurisdiction], [])[0][jurisdiction.pk]

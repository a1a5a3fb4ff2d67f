"""Read-side queries for offices, their holders and contacts.

Views, the API and later apps (tracker, delivery, residents) go through these,
so the prefetching that keeps list pages at a fixed number of queries lives in
one place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from firstline.geo.models import Chamber, Jurisdiction, Zcta, ZctaDistrict
from firstline.officials.models import ContactKind, ContactPoint, Office, Person, Term
from firstline.officials.roles import role_order

DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[object, ...]:
    """'District 2' before 'District 10'."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in DIGITS.split(text))


def _current_terms() -> Prefetch:
    return Prefetch(
        "terms",
        queryset=Term.objects.filter(end_date__isnull=True)
        .select_related("person")
        .prefetch_related("person__contacts")
        .order_by("start_date", "person__family_name"),
        to_attr="current_terms",
    )


def offices_with_holders(queryset: QuerySet[Office]) -> QuerySet[Office]:
    """Any office queryset with current holders, their contacts and the office's own contacts prefetched."""
    return queryset.select_related("district", "jurisdiction").prefetch_related(
        _current_terms(), "contacts"
    )


def _decorate(offices: list[Office]) -> list[Office]:
    """Give each current term its holder's first email and phone, from the prefetched contacts."""
    for office in offices:
        for term in getattr(office, "current_terms", []):
            contacts = sorted(term.person.contacts.all(), key=contact_sort_key)
            term.email = next((c for c in contacts if c.kind == ContactKind.EMAIL), None)
            term.phone = next((c for c in contacts if c.kind == ContactKind.PHONE), None)
    return offices


def offices_sorted(offices: list[Office]) -> list[Office]:
    """Executive first, then the legislature by chamber and natural district order."""
    offices.sort(
        key=lambda o: (
            role_order(o.role),
            _natural(o.district.name) if o.district else (),
            o.seat,
        )
    )
    return offices


def offices_for_jurisdiction(*, jurisdiction: Jurisdiction) -> list[Office]:
    """The offices of one jurisdiction in display order, holders and contacts prefetched (5 queries).

    Each office has ``current_terms``; each of those terms has ``email`` and
    ``phone`` (a ContactPoint or None) for one-line listings.
    """
    # A multi-county prosecutorial district sits at one county and covers the others.
    here = Office.objects.filter(Q(jurisdiction=jurisdiction) | Q(covers=jurisdiction)).distinct()
    offices = list(offices_with_holders(here))
    return _decorate(offices_sorted(offices))


def office_current_terms(*, office: Office) -> list[Term]:
    cached = getattr(office, "current_terms", None)
    if cached is not None:
        return list(cached)
    return list(
        office.terms.filter(end_date__isnull=True).select_related("person").order_by("start_date")
    )


def office_current_holder(*, office: Office) -> Person | None:
    """The person holding the seat now, or None when it is vacant or unknown."""
    terms = office_current_terms(office=office)
    return terms[0].person if terms else None


def office_get(*, pk: int) -> Office:
    return offices_with_holders(Office.objects.select_related("jurisdiction__state")).get(pk=pk)


def office_past_terms(*, office: Office) -> QuerySet[Term]:
    return (
        office.terms.filter(end_date__isnull=False)
        .select_related("person")
        .order_by("-end_date", "-start_date")
    )


def office_contacts(*, office: Office) -> list[ContactPoint]:
    """How to reach the seat: the current holder's contacts, then the office's own."""
    holder = office_current_holder(office=office)
    own = list(office.contacts.all())
    people = list(holder.contacts.all()) if holder else []
    return sorted(people, key=contact_sort_key) + sorted(own, key=contact_sort_key)


def contact_is_stale(*, contact: ContactPoint, today: date | None = None) -> bool:
    """Verified longer ago than ``ROSTER_STALE_DAYS``, or never verified."""
    today = today or timezone.localdate()
    if contact.verified_on is None:
        return True
    return (today - contact.verified_on).days > settings.ROSTER_STALE_DAYS


CONTACT_ORDER = {"email": 0, "webform": 1, "phone": 2, "address": 3, "fax": 4, "web": 5}
CLASSIFICATION_ORDER = {"": 0, "primary": 1, "capitol": 2, "district": 3}


def contact_sort_key(contact: ContactPoint) -> tuple[int, int, str]:
    return (
        CONTACT_ORDER.get(contact.kind, 9),
        CLASSIFICATION_ORDER.get(contact.classification, 9),
        contact.value,
    )


def office_page(*, office: Office) -> dict[str, object]:
    """The office page: the seat, its current holder(s) with every contact, and past holders."""
    jurisdiction = office.jurisdiction
    trail = [
        j
        for j in (jurisdiction.state if jurisdiction.state_id else None, jurisdiction)
        if j is not None
    ]
    holders = []
    for term in office_current_terms(office=office):
        holders.append(
            {"term": term, "person": term.person, "contacts": person_contacts(person=term.person)}
        )
    return {
        "office": office,
        "trail": trail,
        "holders": holders,
        "office_contacts": sorted(office.contacts.all(), key=contact_sort_key),
        "past_terms": list(office_past_terms(office=office)),
    }


def person_contacts(*, person: Person) -> list[ContactPoint]:
    return sorted(person.contacts.all(), key=contact_sort_key)


def role_counts(*, roles: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Per role: offices, and offices with a current holder (for reports and tests)."""
    qs = Office.objects.all()
    if roles:
        qs = qs.filter(role__in=roles)
    filled = set(
        Term.objects.filter(end_date__isnull=True, office__in=qs).values_list(
            "office_id", flat=True
        )
    )
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"offices": 0, "filled": 0})
    for pk, role in qs.values_list("pk", "role"):
        out[role]["offices"] += 1
        out[role]["filled"] += pk in filled
    return dict(out)


@dataclass
class Coverage:
    """How many ZCTAs of the 50 states link to a district of each chamber."""

    total: int = 0
    upper: int = 0
    lower: int = 0
    per_state: dict[str, list[int]] = field(default_factory=dict)  # usps -> [total, upper, lower]

    @staticmethod
    def _pct(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 0.0

    @property
    def upper_pct(self) -> float:
        return self._pct(self.upper, self.total)

    @property
    def lower_pct(self) -> float:
        return self._pct(self.lower, self.total)

    def state_pct(self, usps: str) -> tuple[float, float]:
        total, upper, lower = self.per_state[usps]
        return self._pct(upper, total), self._pct(lower, total)

    def worst(self, n: int) -> list[tuple[str, float, float]]:
        rows = [(usps, *self.state_pct(usps)) for usps in self.per_state]
        return sorted(rows, key=lambda r: (min(r[1], r[2]), r[0]))[:n]


def zcta_district_coverage() -> Coverage:
    """ZCTAs (of the 50 states; DC has no state legislature) linked to >=1 district per chamber.

    A unicameral district (Nebraska) counts for both chambers.
    """
    zcta_state = dict(
        Zcta.objects.filter(state__isnull=False)
        .exclude(state__usps="DC")
        .values_list("pk", "state__usps")
    )
    upper: set[int] = set()
    lower: set[int] = set()
    for zcta_id, chamber in ZctaDistrict.objects.values_list(
        "zcta_id", "district__chamber"
    ).iterator(chunk_size=20000):
        if chamber in (Chamber.UPPER, Chamber.UNICAMERAL):
            upper.add(zcta_id)
        if chamber in (Chamber.LOWER, Chamber.UNICAMERAL):
            lower.add(zcta_id)
    coverage = Coverage()
    for zcta_id, usps in zcta_state.items():
        row = coverage.per_state.setdefault(usps, [0, 0, 0])
        row[0] += 1
        coverage.total += 1
        if zcta_id in upper:
            row[1] += 1
            coverage.upper += 1
        if zcta_id in lower:
            row[2] += 1
            coverage.lower += 1
    return coverage

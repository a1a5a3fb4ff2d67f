"""Import signatories from an Action Network CSV export.

Action Network has no notion of an organization signing, so coalitions add
custom form fields ("Organization", "Title", "Website", ...). Its standard
columns are ``first_name``, ``last_name``, ``email``, ``zip_code``,
``can2_user_address``, ``can2_user_city``, ``can2_county``,
``can2_state_abbreviated``, ``can2_phone``, ``can2_user_tags``,
``can2_subscription_status``, ``can2_sms_status``, ``uuid`` and a few more.

What maps: organization (a custom column, several spellings accepted),
website, type, role, the contact's name and email, and the home jurisdiction
(city + state, else county + state, else state). What is deliberately
dropped, and reported: street address, ZIP, phone and tags; Firstline does
not keep them. Imported rows arrive ``verified`` (the tool that collected
them confirmed the email), never ``approved``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from firstline.campaigns.models import Campaign, OrganizationType
from firstline.campaigns.services import signature_import_row
from firstline.campaigns.text import clean_text
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.lib.importing import Counts, ImportFailed

ORG_COLUMNS = (
    "organization",
    "organization name",
    "organization_name",
    "org",
    "org_name",
    "group",
    "can2_user_org",
)
WEBSITE_COLUMNS = ("website", "organization website", "org_website", "url")
TYPE_COLUMNS = ("organization type", "organization_type", "org_type", "type")
ROLE_COLUMNS = ("title", "role", "position", "job title", "job_title")
LANGUAGE_COLUMNS = ("language", "lang")
# Standard Action Network columns Firstline reads.
MAPPED = {
    "first_name",
    "last_name",
    "email",
    "can2_user_city",
    "can2_county",
    "can2_state_abbreviated",
}
# Standard columns Firstline will not store (no addresses, ZIPs or phones).
DROPPED = {
    "zip_code",
    "can2_user_address",
    "can2_phone",
    "can2_user_tags",
    "can2_subscription_status",
    "can2_subscription_date",
    "can2_sms_status",
    "can2_latitude",
    "can2_longitude",
    "uuid",
    "country",
}
TYPE_WORDS = {
    "national": OrganizationType.NATIONAL,
    "nacional": OrganizationType.NATIONAL,
    "state": OrganizationType.STATE,
    "statewide": OrganizationType.STATE,
    "estatal": OrganizationType.STATE,
    "local": OrganizationType.LOCAL,
}


@dataclass
class ColumnMap:
    org: str
    website: str | None
    type: str | None
    role: str | None
    language: str | None
    ignored: list[str]
    unknown: list[str]


def _find(header: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in header:
            return header[name]
    return None


def map_columns(fieldnames: list[str], *, path: Path) -> ColumnMap:
    header = {name.strip().casefold(): name for name in fieldnames if name}
    for required in ("email",):
        if required not in header:
            raise ImportFailed(
                f"missing column {required!r} (is this an Action Network export?)",
                file=path,
                line=1,
            )
    org = _find(header, ORG_COLUMNS)
    if org is None:
        raise ImportFailed(
            "no organization column; add one named 'Organization' (Action Network custom field)",
            file=path,
            line=1,
        )
    chosen = {org}
    website, type_, role, language = (
        _find(header, WEBSITE_COLUMNS),
        _find(header, TYPE_COLUMNS),
        _find(header, ROLE_COLUMNS),
        _find(header, LANGUAGE_COLUMNS),
    )
    chosen |= {c for c in (website, type_, role, language) if c}
    ignored = [c for c in fieldnames if c.strip().casefold() in DROPPED]
    unknown = [
        c
        for c in fieldnames
        if c not in chosen and c.strip().casefold() not in MAPPED | DROPPED and c.strip()
    ]
    return ColumnMap(org, website, type_, role, language, ignored, unknown)


class HomeResolver:
    """City + state → place, county + state → county, else the state; cached per run."""

    def __init__(self) -> None:
        self.states = {j.usps: j for j in Jurisdiction.objects.filter(kind=JurisdictionKind.STATE)}
        self.cache: dict[tuple[str, str, str], Jurisdiction | None] = {}

    def resolve(self, *, usps: str, city: str, county: str) -> Jurisdiction | None:
        usps = usps.strip().upper()
        key = (usps, city.strip().casefold(), county.strip().casefold())
        if key in self.cache:
            return self.cache[key]
        state = self.states.get(usps)
        found: Jurisdiction | None = None
        if state is not None:
            base = Jurisdiction.objects.filter(state=state)
            if city.strip():
                found = (
                    base.filter(kind=JurisdictionKind.PLACE, short_name__iexact=city.strip())
                    .order_by("-incorporated", "-population")
                    .first()
                )
            if found is None and county.strip():
                name = county.strip()
                found = (
                    base.filter(kind=JurisdictionKind.COUNTY)
                    .filter(short_name__iexact=name.removesuffix(" County").removesuffix(" county"))
                    .first()
                    or base.filter(kind=JurisdictionKind.COUNTY, name__iexact=name).first()
                )
            found = found or state
        self.cache[key] = found
        return found


def import_actionnetwork(
    *, path: Path, campaign: Campaign, default_type: str = OrganizationType.LOCAL
) -> Counts:
    counts = Counts()
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"unreadable ({type(exc).__name__})", file=path) from exc
    reader = csv.DictReader(io.StringIO(raw))
    columns = map_columns(list(reader.fieldnames or []), path=path)
    homes = HomeResolver()
    url_ok = URLValidator(schemes=["http", "https"])
    no_home = 0
    for row in reader:
        line = reader.line_num
        email = (row.get("email") or "").strip()
        org_name = clean_text(row.get(columns.org) or "", max_length=200)
        if not email and not org_name:
            counts.skipped += 1
            continue
        if not org_name:
            raise ImportFailed("organization is empty", file=path, line=line, field=columns.org)
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ImportFailed(
                "not a valid email address", file=path, line=line, field="email"
            ) from exc
        website = (
            clean_text(row.get(columns.website) or "", max_length=300) if columns.website else ""
        )
        if website:
            if "://" not in website:
                website = "https://" + website
            try:
                url_ok(website)
            except ValidationError:
                counts.notes.append(
                    f"line {line}: website {website[:60]!r} is not a web address; dropped"
                )
                website = ""
        org_type = default_type
        if columns.type:
            org_type = TYPE_WORDS.get(
                (row.get(columns.type) or "").strip().casefold(), default_type
            )
        home = homes.resolve(
            usps=row.get("can2_state_abbreviated") or "",
            city=row.get("can2_user_city") or "",
            county=row.get("can2_county") or "",
        )
        if home is None:
            no_home += 1
        name = clean_text(
            f"{row.get('first_name') or ''} {row.get('last_name') or ''}", max_length=120
        )
        outcome = signature_import_row(
            campaign=campaign,
            org_name=org_name,
            org_website=website,
            org_type=org_type,
            home_jurisdiction=home,
            contact_name=name,
            contact_email=email,
            contact_role=(row.get(columns.role) or "") if columns.role else "",
            language=((row.get(columns.language) or "en").strip()[:2].lower())
            if columns.language
            else "en",
        )
        if outcome == "inserted":
            counts.inserted += 1
        elif outcome == "updated":
            counts.updated += 1
        else:
            counts.noop += 1
    mapped = [
        columns.org,
        *(c for c in (columns.website, columns.type, columns.role, columns.language) if c),
    ]
    counts.notes.append(
        "mapped: email, first_name + last_name, city/county/state → home, " + ", ".join(mapped)
    )
    if columns.ignored:
        counts.notes.append("not stored by design (privacy): " + ", ".join(columns.ignored))
    if columns.unknown:
        counts.notes.append("unrecognized, ignored: " + ", ".join(columns.unknown))
    if no_home:
        counts.notes.append(f"{no_home} row(s) with no recognizable state: home left empty")
    counts.notes.append("imported signatures are verified, not approved: review them in the admin")
    return counts

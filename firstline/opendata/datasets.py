"""The published downloads: what each file holds, its columns, sources and license.

This table is the one place a download is described. The writer takes its
header from ``columns`` and the Data page prints the same list as the column
dictionary, so the two cannot drift (a test reads every file's header back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from firstline.opendata import selectors


@dataclass(frozen=True)
class Column:
    name: str
    description: Promise


@dataclass(frozen=True)
class Source:
    name: str | Promise
    as_of: str
    license: str | Promise
    url: str = ""


@dataclass(frozen=True)
class DataFile:
    name: str  # file name and URL segment, e.g. "scorecards.csv"
    format: str  # "csv" or "geojson"
    description: Promise
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[Any]]  # tuples in column order (CSV) or GeoJSON features
    row_count: Callable[[], int]  # what the database holds, for the tests and the page


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    files: tuple[DataFile, ...]
    sources: tuple[Source, ...]
    license: Promise
    as_of: Callable[[], dt.date | None]


C = Column
CENSUS = Source(
    "U.S. Census Bureau 2025 Gazetteer and ACS 2023 (via bdurand/us_geo)",
    "2026-01-18",
    _("Public domain / MIT"),
    "https://www.census.gov/geographies/reference-files/time-series/geo/gazetteer-files.html",
)
EVIDENCE = Source(
    _("Firstline evidence: laws, ordinances, orders, court decisions (data/policies)"),
    "2026-12-06",
    _("Facts from public primary sources; summaries in Firstline's own words"),
)
ICE = Source(
    "ICE 287(g) participating and pending agency lists (via appelson/Tracking_287g)",
    "2025-07-18",
    _("Public domain (U.S. government work)"),
    "https://www.ice.gov/identify-and-arrest/287g",
)
ATLAS = Source(
    "us-atlas 3.0.1 county shapes (Census 2017 cartographic boundaries, 1:10m)",
    "2017",
    "ISC",
    "https://github.com/topojson/us-atlas",
)
OPENSTATES = Source(
    "Open States people and metadata",
    "2026-08-05",
    "CC0-1.0 / MIT",
    "https://github.com/openstates/people",
)
LOCAL_TABLES = Source(
    _(
        "Firstline tables of county and place governments, titles and prosecutorial districts (data/officials)"
    ),
    "2026-12-06",
    _("Firstline's own compilation from cited official sources"),
)
WATCH = Source(
    _("287g-watch sheriffs' contacts (recoveredfactory/287g-watch) and FBI county agencies"),
    "2026-08-01",
    _(
        "MIT (© 2026 Recovered Factory; notice in data/officials/LICENSE-287g-watch) / public domain"
    ),
    "https://github.com/recoveredfactory/287g-watch",
)
ROSTERS = Source(
    _("Rosters sent by partner organizations and checked by Firstline verifiers"),
    "",
    _("Firstline's own compilation"),
)
SIGN_ON = Source(
    _("Approved sign-ons to Firstline campaigns"),
    "",
    _("Published by the organizations that signed"),
)

# Firstline states no separate data license; data/README.md offers its own
# compilation under the repository's license and keeps each upstream's.
COMPILATION_LICENSE = _(
    "Firstline's compilation is offered under the repository's license (Apache-2.0); each source "
    "keeps its own license, listed below. Please credit Firstline and the sources."
)

STATE = C("state", _("Two-letter postal code of the state."))
NOTE = C("note", _("Research note."))
URL = C("url", _("Link to the source."))
OTHER_NAME = C("other_name", _("Name of an agency outside any jurisdiction."))
ENACTED = (
    C("enacted_on", _("Date enacted (ISO 8601).")),
    C("effective_on", _("Date in effect (ISO 8601).")),
)
VERIFICATION = (
    C("confidence", _("verified (checked by a second researcher) or unverified.")),
    C("verified_on", _("Date it was verified.")),
    C("as_of", _("Date the research is current to.")),
)
GRADE_COLUMNS = (
    C("score", _("Score from 0 to 100 (see the methodology page).")),
    C("grade", _("Grade A to F from the score bands.")),
    C(
        "incomplete",
        _("true when a core policy is not yet researched for this place, its county or its state."),
    ),
    C("core_researched", _("Core policies researched over the chain (own, county, state).")),
    C("core_total", _("Core policies in the catalog.")),
)
JURISDICTION_COLUMNS = (
    C("ocd_id", _("Open Civic Data division id of the jurisdiction.")),
    C("name", _("Name as the Census writes it.")),
)

SCORECARDS = Dataset(
    slug="scorecards",
    title=_("Scorecards"),
    description=_("The score, grade and research coverage of every state, county and place."),
    files=(
        DataFile(
            "scorecards.csv",
            "csv",
            _("One row per jurisdiction."),
            (
                *JURISDICTION_COLUMNS,
                C("kind", _("state, county or place.")),
                STATE,
                C("geoid", _("Census GEOID (2 digits for states, 5 for counties, 7 for places).")),
                *GRADE_COLUMNS,
                C(
                    "core_not_researched",
                    _("Slugs of the core policies not yet researched, separated by ';'."),
                ),
            ),
            selectors.scorecard_rows,
            selectors.scorecard_row_count,
        ),
        DataFile(
            "counties.geojson",
            "geojson",
            _(
                "One feature per county drawn on the national map (WGS 84 longitude/latitude); the columns are each feature's properties."
            ),
            (
                *JURISDICTION_COLUMNS,
                STATE,
                C("geoid", _("5-digit county FIPS code.")),
                *GRADE_COLUMNS,
                C(
                    "core_not_researched",
                    _("Slugs of the core policies not yet researched (a list)."),
                ),
            ),
            selectors.county_features,
            selectors.county_feature_count,
        ),
    ),
    sources=(EVIDENCE, ICE, CENSUS, ATLAS),
    license=COMPILATION_LICENSE,
    as_of=selectors.scorecards_as_of,
)

CITATION = _("Citation of the instrument, e.g. a code section or ordinance number.")
POLICIES = Dataset(
    slug="policies",
    title=_("Policy instruments and provisions"),
    description=_(
        "Laws, ordinances, orders and court decisions; the provisions by which each puts a catalog policy in force, with citations; and the later legal events (injunctions, rulings, repeals)."
    ),
    files=(
        DataFile(
            "instruments.csv",
            "csv",
            _("One row per instrument."),
            (
                C("slug", _("Stable id of the instrument.")),
                C(
                    "jurisdiction_ocd_id",
                    _("Open Civic Data division id of the enacting jurisdiction."),
                ),
                C("jurisdiction_name", _("Name of the enacting jurisdiction.")),
                STATE,
                C(
                    "kind",
                    _(
                        "statute, ordinance, policy, executive_order, ag_directive, court_decision, court_rule, budget, resolution, agreement or other."
                    ),
                ),
                C("title", _("Title of the instrument.")),
                C("citation", CITATION),
                URL,
                C(
                    "source_type",
                    _(
                        "Where the link points: legislature, official_code, court, executive, agency (primary) or secondary."
                    ),
                ),
                C("status", _("enacted, proposed, failed or vetoed.")),
                *ENACTED,
                *VERIFICATION,
                C("summary", _("Summary in Firstline's own words.")),
                NOTE,
            ),
            selectors.instrument_rows,
            selectors.instrument_row_count,
        ),
        DataFile(
            "provisions.csv",
            "csv",
            _(
                "One row per provision: an instrument (or a staff record) putting one policy in force in one jurisdiction."
            ),
            (
                C("policy", _("Slug of the catalog policy.")),
                C("key", _("Stable key of the record within the policy.")),
                C("policy_kind", _("protective or harmful.")),
                C(
                    "jurisdiction_ocd_id",
                    _("Open Civic Data division id; empty for an agency outside any jurisdiction."),
                ),
                C("level", _("state, county, place or other.")),
                STATE,
                OTHER_NAME,
                C(
                    "instrument",
                    _(
                        "Slug of the instrument (see instruments.csv); empty for older staff records."
                    ),
                ),
                C("section", _("The section, article or paragraph that enacts it.")),
                C("extent", _("full or partial.")),
                C(
                    "status",
                    _(
                        "Effective status today, derived from the instrument and its legal events: in_force, partial, proposed, pending, enjoined, struck_down, preempted, rescinded, ended, failed, vetoed or withdrawn."
                    ),
                ),
                C("instrument_kind", _("Kind of instrument, as in instruments.csv.")),
                C("citation", CITATION),
                C("source_url", _("Link to the source.")),
                C("year", _("Year of the instrument.")),
                *ENACTED,
                C("ended_on", _("Date it stopped being in force.")),
                C("excerpt", _("What the source says, in Firstline's own words.")),
                NOTE,
                *VERIFICATION,
            ),
            selectors.provision_rows,
            selectors.provision_row_count,
        ),
        DataFile(
            "legal_events.csv",
            "csv",
            _("One row per later change in an instrument's legal standing."),
            (
                C("instrument", _("Slug of the instrument (see instruments.csv).")),
                C(
                    "kind",
                    _(
                        "enjoined, injunction_lifted, struck_down, upheld, repealed, amended, superseded or expired."
                    ),
                ),
                C("date", _("Date of the event (ISO 8601).")),
                C("body", _("The court, legislature or body.")),
                C("reference", _("Case name and cite, or bill number.")),
                URL,
                C("source_type", _("Where the link points, as in instruments.csv.")),
                C(
                    "policies",
                    _(
                        "Slugs of the policies affected, separated by ';'; empty means the whole instrument."
                    ),
                ),
                C("superseded_by", _("Slug of the instrument that supersedes it.")),
                NOTE,
            ),
            selectors.legal_event_rows,
            selectors.legal_event_row_count,
        ),
    ),
    sources=(EVIDENCE, CENSUS),
    license=COMPILATION_LICENSE,
    as_of=selectors.policies_as_of,
)

AGREEMENTS = Dataset(
    slug="ice-287g",
    title=_("ICE 287(g) agreements"),
    description=_(
        "Every agency on ICE's 287(g) participating and pending lists, with the jurisdiction Firstline matched it to and how."
    ),
    files=(
        DataFile(
            "ice_287g_agreements.csv",
            "csv",
            _("One row per agreement (agency and support model)."),
            (
                C("key", _("Stable key: state, normalized agency name and support model.")),
                STATE,
                C("agency_name", _("Agency name as ICE wrote it.")),
                C("agency_type", _("ICE's TYPE column.")),
                C("agency_county", _("ICE's COUNTY column.")),
                C("support_model", _("jail_enforcement, task_force, warrant_service or unknown.")),
                C(
                    "status",
                    _(
                        "in_force (on the latest participating list), pending, or ended/rescinded (dropped from the lists)."
                    ),
                ),
                C("signed_on", _("Date signed, as ICE lists it.")),
                C("first_seen_on", _("First participating list that held it.")),
                C("last_seen_on", _("Last participating list that held it.")),
                C("pending_first_seen_on", _("First pending list that held it.")),
                C("pending_last_seen_on", _("Last pending list that held it.")),
                C("ended_on", _("Date it left the participating list.")),
                C("moa_url", _("Link to the signed memorandum of agreement.")),
                C("addendum_url", _("Link to an addendum.")),
                C(
                    "level",
                    _(
                        "Level the agreement counts at: state, county, place or other (an agency outside any jurisdiction)."
                    ),
                ),
                C(
                    "jurisdiction_ocd_id",
                    _("Open Civic Data division id of the matched jurisdiction."),
                ),
                C("jurisdiction_name", _("Name of the matched jurisdiction.")),
                OTHER_NAME,
                C(
                    "match_method",
                    _(
                        "How the agency was matched to the jurisdiction (e.g. sheriff of a county, exact place name)."
                    ),
                ),
                C("match_score", _("The matcher's confidence, 0 to 1, where it scores one.")),
                C("source_file", _("The ICE list the row was last read from.")),
                C("as_of", _("Date of that list.")),
            ),
            selectors.agreement_rows,
            selectors.agreement_row_count,
        ),
    ),
    sources=(ICE, CENSUS),
    license=COMPILATION_LICENSE,
    as_of=selectors.agreements_as_of,
)

PERSON_ID = _("ocd-person id (Open States) of the person, where known.")
OFFICIALS = Dataset(
    slug="officials",
    title=_("Offices and officials"),
    description=_(
        "Every office Firstline knows (state, county and place), its current holders, and the public contact points of offices and holders."
    ),
    files=(
        DataFile(
            "officials.csv",
            "csv",
            _(
                "One row per current holder of each office, and one row with empty person columns for each seat with no known holder."
            ),
            (
                C(
                    "office_id",
                    _("Firstline's id of the office (stable; used by contact_points.csv)."),
                ),
                C(
                    "division_ocd_id",
                    _(
                        "Open Civic Data division the office represents: the district for legislators, else the jurisdiction."
                    ),
                ),
                C("jurisdiction_ocd_id", _("Open Civic Data division id of the jurisdiction.")),
                C("jurisdiction_name", _("Name of the jurisdiction.")),
                STATE,
                C(
                    "district_ocd_id",
                    _("Open Civic Data id of the legislative district, for legislators."),
                ),
                C("district_name", _("Name of the district.")),
                C("role", _("Role of the office, e.g. governor, sheriff, county_board, mayor.")),
                C("title", _("How the seat is addressed in English.")),
                C("title_es", _("How the seat is addressed in Spanish, when it differs.")),
                C("seat", _("Seat number within a multi-member body or district.")),
                C(
                    "covers_ocd_ids",
                    _(
                        "Every jurisdiction the office serves when it serves several (e.g. a multi-county prosecutorial district), separated by ';'."
                    ),
                ),
                C("office_source", _("Where the office comes from.")),
                C("ocd_person_id", PERSON_ID),
                C(
                    "person_id",
                    _(
                        "The person's id in Firstline: the ocd-person id, or a local id for rosters."
                    ),
                ),
                C("person_name", _("Name of the current holder.")),
                C("party", _("Party, where the source gives one.")),
                C("term_start", _("Start of the current term.")),
                C("term_scheduled_end", _("When the current term is due to end.")),
                C("term_source", _("The importer and file the term came from.")),
                C("term_verified_on", _("Date a verifier confirmed the holder.")),
            ),
            selectors.official_rows,
            selectors.official_row_count,
        ),
        DataFile(
            "contact_points.csv",
            "csv",
            _("One row per public contact point of an office or of a current holder."),
            (
                C("contact_id", _("Firstline's id of the contact point.")),
                C("owner", _("office (the seat's own contact) or person (the holder's).")),
                C("office_id", _("Office id (see officials.csv), for an office's contact.")),
                C("office_title", _("Title of that office.")),
                C(
                    "jurisdiction_ocd_id",
                    _("Open Civic Data division id of that office's jurisdiction."),
                ),
                C("ocd_person_id", PERSON_ID),
                C(
                    "person_id",
                    _("The person's id in Firstline (see officials.csv), for a holder's contact."),
                ),
                C("person_name", _("Name of the person.")),
                C("kind", _("email, phone, fax, address, web or webform.")),
                C("value", _("The address, number or link.")),
                C("classification", _("capitol, district, primary or empty.")),
                C("note", _("Note on the contact.")),
                C("source", _("Where the contact point comes from.")),
                C("verified_on", _("Date it was last verified; empty when never verified.")),
            ),
            selectors.contact_rows,
            selectors.contact_row_count,
        ),
    ),
    sources=(OPENSTATES, LOCAL_TABLES, WATCH, ROSTERS, CENSUS),
    license=COMPILATION_LICENSE,
    as_of=selectors.officials_as_of,
)

SIGNATORIES = Dataset(
    slug="signatories",
    title=_("Campaign signatories"),
    description=_(
        "The organizations that signed each public campaign, once staff approved them. Organization names only: never a contact's name or email."
    ),
    files=(
        DataFile(
            "signatories.csv",
            "csv",
            _("One row per approved signature."),
            (
                C("campaign", _("Slug of the campaign.")),
                C("campaign_title", _("Title of the campaign.")),
                C("campaign_status", _("collecting, delivering or closed.")),
                C("organization", _("Name of the organization.")),
                C("organization_type", _("national, state or local.")),
                C(
                    "home_ocd_id",
                    _("Open Civic Data division id of the organization's home, where given."),
                ),
                C("home_state", _("Two-letter postal code of that home.")),
                C("approved_on", _("Date staff approved the signature.")),
            ),
            selectors.signatory_rows,
            selectors.signatory_row_count,
        ),
    ),
    sources=(SIGN_ON,),
    license=_(
        "Public lists of the organizations that chose to sign; reuse with credit to Firstline."
    ),
    as_of=selectors.signatories_as_of,
)

DATASETS: dict[str, Dataset] = {
    d.slug: d for d in (SCORECARDS, POLICIES, AGREEMENTS, OFFICIALS, SIGNATORIES)
}
FILES: dict[str, tuple[Dataset, DataFile]] = {
    f.name: (d, f) for d in DATASETS.values() for f in d.files
}

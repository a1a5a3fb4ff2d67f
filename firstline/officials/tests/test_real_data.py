"""The national dataset as load_bundled leaves it (the session database holds it)."""

import csv
import tarfile
from collections import Counter
from datetime import date
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from firstline.geo.models import District, Jurisdiction, ZctaDistrict
from firstline.officials.importers import DISTRICTS_CSV, NOT_COVERED, open_text
from firstline.officials.models import ContactPoint, Office, Role, Term
from firstline.officials.openstates_importers import BUNDLED_AS_OF, BUNDLED_SNAPSHOT
from firstline.officials.selectors import office_current_holder, role_counts, zcta_district_coverage

pytestmark = pytest.mark.django_db


def test_every_seat_of_the_50_legislatures_is_an_office():
    expected = Counter()
    with open_text(DISTRICTS_CSV) as handle:
        for row in csv.DictReader(handle):
            if row["state"] not in NOT_COVERED and row["state"] != "DC":
                expected[(row["state"], row["chamber"], row["district"])] = int(row["num_seats"])
    assert sum(expected.values()) == 7388
    actual = Counter(
        (usps, chamber, name)
        for usps, chamber, name in Office.objects.filter(district__isnull=False)
        .exclude(jurisdiction__usps="DC")
        .values_list("jurisdiction__usps", "district__chamber", "district__name")
    )
    assert actual == expected
    # Seats are numbered 1..n within each multi-member district.
    for district in District.objects.filter(num_seats__gt=1).prefetch_related("offices"):
        assert sorted(o.seat for o in district.offices.all()) == list(
            range(1, district.num_seats + 1)
        )


def test_dc_council_seats_and_titles():
    dc = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/district:dc")
    council = Office.objects.filter(jurisdiction=dc, role=Role.LEGISLATOR)
    assert council.count() == 13
    assert council.filter(district__name="At-Large").count() == 4
    assert (
        Office.objects.get(jurisdiction=dc, role=Role.MAYOR).title
        == "Mayor of the District of Columbia"
    )
    tx7 = Office.objects.get(jurisdiction__usps="TX", role=Role.STATE_SENATOR, district__name="7")
    assert tx7.title == "State Senator, Texas Senate District 7"


def _current_legislative_roles() -> int:
    n = 0
    with tarfile.open(BUNDLED_SNAPSHOT) as archive:
        for info in archive:
            parts = info.name.split("/")
            if (
                not info.isfile()
                or len(parts) != 4
                or parts[2] != "legislature"
                or parts[1] in ("us", "pr")
            ):
                continue
            person = yaml.load(archive.extractfile(info).read(), Loader=yaml.CSafeLoader)
            for role in person["roles"]:
                end = role.get("end_date")
                end = date.fromisoformat(end) if isinstance(end, str) else end
                if role["type"] in ("upper", "lower", "legislature") and (
                    end is None or end >= BUNDLED_AS_OF
                ):
                    n += 1
    return n


def test_seats_filled_in_the_snapshot_have_their_holders():
    open_terms = Term.objects.filter(
        end_date__isnull=True,
        office__role__in=[Role.STATE_SENATOR, Role.STATE_REPRESENTATIVE, Role.LEGISLATOR],
    )
    assert open_terms.count() == _current_legislative_roles() == 7370
    # Nobody holds two seats, and no seat has more holders than it has seats.
    assert open_terms.values("office").distinct().count() == open_terms.count()
    senator = office_current_holder(
        office=Office.objects.get(
            jurisdiction__usps="TX", role=Role.STATE_SENATOR, district__name="7"
        )
    )
    assert senator is not None and senator.name == "Paul Bettencourt"
    emails = ContactPoint.objects.filter(person=senator, kind="email").values_list(
        "value", flat=True
    )
    assert list(emails) == ["paul.bettencourt@senate.texas.gov"]


def test_governors_attorneys_general_and_mayors():
    counts = role_counts()
    assert counts[Role.GOVERNOR]["offices"] == 50
    # Open States' executive files are stale for 12 governors (their recorded term
    # ended before the snapshot); the statewide overlay gives every seat its holder.
    assert counts[Role.GOVERNOR]["filled"] == 50
    assert counts[Role.ATTORNEY_GENERAL]["offices"] == 51  # with DC's
    assert counts[Role.ATTORNEY_GENERAL]["filled"] == 51
    assert counts[Role.MAYOR]["offices"] >= 1700
    assert counts[Role.MAYOR]["filled"] >= 280
    houston = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/place:houston")
    mayor = Office.objects.get(jurisdiction=houston, role=Role.MAYOR)
    assert mayor.title == "Mayor of Houston, TX"
    # Name matching: Open States "saint_paul" is geo's St. Paul.
    assert Office.objects.filter(
        role=Role.MAYOR, jurisdiction__usps="MN", jurisdiction__short_name="St. Paul"
    ).exists()


def test_zcta_district_coverage_is_at_least_95_percent_per_chamber():
    coverage = zcta_district_coverage()
    assert coverage.total > 33000
    assert coverage.upper_pct >= 95 and coverage.lower_pct >= 95
    worst = coverage.worst(1)[0]
    assert min(worst[1], worst[2]) >= 95, worst
    assert ZctaDistrict.objects.filter(
        district__state__usps="NE", district__chamber="unicameral"
    ).exists()
    ma = District.objects.get(
        state__usps="MA", chamber="upper", name="Berkshire, Hampden, Franklin and Hampshire"
    )
    assert ma.census_code == "D01" and ma.zcta_links.count() > 50


def test_second_run_reports_only_noops():
    for command in (
        "import_districts",
        "import_zcta_districts",
        "import_openstates",
        "apply_statewide_overlay",
        "create_local_offices",
    ):
        out = StringIO()
        call_command(command, stdout=out)
        first = out.getvalue().splitlines()[0]
        assert " inserted=0 updated=0 " in first and "ended=" not in first, first

"""The 287(g) importer: ICE's xlsx, lists over time, errors, the report, the trend."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from firstline.lib.importing import ImportFailed
from firstline.policies.ice287g_importers import REPORT_COLUMNS, import_ice287g
from firstline.policies.models import PolicyRecord
from firstline.policies.selectors import trend_287g

pytestmark = pytest.mark.django_db
HEADER = [
    "STATE",
    "LAW ENFORCEMENT AGENCY",
    "TYPE",
    "COUNTY",
    "SUPPORT TYPE",
    "SIGNED",
    "MOA",
    "ADDENDUM",
]
SAFELINK = "https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoc%2Fharris.pdf&data=x"


@pytest.fixture
def clean() -> None:
    """Start from no agreements (the session DB holds the bundled national list)."""
    PolicyRecord.objects.filter(policy__slug="agreement_287g").delete()


def write_xlsx(
    path: Path,
    rows: list[list[object]],
    *,
    title_rows: int = 2,
    links: dict[int, str] | None = None,
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(title_rows):  # ICE puts a title and a date above the table
        sheet.append([f"287(g) Participating Agencies note {i}"])
    sheet.append(HEADER)
    for n, row in enumerate(rows):
        sheet.append(row)
        if links and n in links:
            cell = sheet.cell(row=title_rows + 2 + n, column=HEADER.index("MOA") + 1)
            cell.hyperlink = links[n]
    book.save(path)
    return path


HARRIS = ["TEXAS", "Harris County Sheriff's Office", "County", "Harris County", "Jail Enforcement Model",
          dt.datetime(2025, 2, 20), "link", None]  # fmt: skip
ORLEANS = ["LOUISIANA", "Jefferson Parish Sheriff's Office", "County", "Jefferson Parish", "Task Force Model",
           "2025-03-01", "link pending", None]  # fmt: skip
KENNER = [
    "LOUISIANA",
    "Kenner Police Department",
    "Municipality",
    "#N/A",
    "Task Force Model",
    "04/02/2025",
    "",
    None,
]


def test_xlsx_as_ice_publishes_it(clean: None, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "participatingAgencies07182025pm.xlsx",
        [HARRIS, ORLEANS, KENNER],
        links={0: SAFELINK},
    )
    report = tmp_path / "report.csv"
    call_command("import_ice287g", str(path), "--report", str(report))
    harris = PolicyRecord.objects.get(agency_name="Harris County Sheriff's Office")
    assert (harris.status, harris.level, harris.jurisdiction.geoid) == (
        "in_force",
        "county",
        "48201",
    )
    assert harris.support_model == "jail_enforcement" and harris.signed_on == dt.date(2025, 2, 20)
    assert (
        harris.moa_url == "https://www.ice.gov/doc/harris.pdf"
    )  # unwrapped from Outlook safelinks
    assert harris.as_of == dt.date(2025, 7, 18)  # from ICE's file name
    kenner = PolicyRecord.objects.get(agency_name="Kenner Police Department")
    assert kenner.level == "place" and kenner.jurisdiction.name.startswith("Kenner")
    assert (
        PolicyRecord.objects.get(agency_name__startswith="Jefferson Parish").jurisdiction.geoid
        == "22051"
    )
    rows = list(csv.DictReader(report.open()))
    assert list(rows[0])[:7] == REPORT_COLUMNS[:7]
    assert [r["matched_level"] for r in rows] == ["county", "county", "place"]
    assert rows[0]["matched_ocd_id"] == harris.jurisdiction.ocd_id


def test_older_list_then_newer_list_rescinds_dropped_agreement(clean: None, tmp_path: Path) -> None:
    old = write_xlsx(tmp_path / "old.xlsx", [HARRIS, ORLEANS, KENNER])
    new = write_xlsx(tmp_path / "new.xlsx", [HARRIS, ORLEANS])
    import_ice287g(old, list_name="participating", as_of=dt.date(2025, 6, 1))
    counts = import_ice287g(new, list_name="participating", as_of=dt.date(2025, 7, 1)).counts
    assert counts.updated == 1
    kenner = PolicyRecord.objects.get(agency_name="Kenner Police Department")
    assert kenner.status == "rescinded" and kenner.ended_on == dt.date(2025, 7, 1)
    versions = list(kenner.versions.order_by("number"))
    assert [v.values["status"] for v in versions] == ["in_force", "rescinded"]
    assert "2025-07-01" in versions[1].why
    # Loading the old list again cannot resurrect it: a later list decided.
    import_ice287g(old, list_name="participating", as_of=dt.date(2025, 6, 1))
    kenner.refresh_from_db()
    assert kenner.status == "rescinded"
    # A newer list holding it again puts it back in force, with a third version.
    import_ice287g(old, list_name="participating", as_of=dt.date(2025, 8, 1))
    kenner.refresh_from_db()
    assert kenner.status == "in_force" and kenner.versions.count() == 3
    assert trend_287g()["total"][-1] == 3


def test_rerun_reports_only_noops(clean: None, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [HARRIS, KENNER])
    import_ice287g(path, list_name="participating", as_of=dt.date(2025, 7, 18))
    counts = import_ice287g(path, list_name="participating", as_of=dt.date(2025, 7, 18)).counts
    assert (counts.inserted, counts.updated, counts.noop) == (0, 0, 2)


def test_missing_column_refuses_the_whole_file(clean: None, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(
        ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "SUPPORT TYPE", "SIGNED"]
    )  # no COUNTY
    book.active.append(HARRIS[:3] + HARRIS[4:6])
    path = tmp_path / "participating.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed, match="COUNTY"):
        call_command("import_ice287g", str(path), "--as-of", "2025-07-18")
    assert not PolicyRecord.objects.filter(policy__slug="agreement_287g").exists()


def test_empty_and_headerless_files_are_refused(clean: None, tmp_path: Path) -> None:
    empty = tmp_path / "participating.csv"
    empty.write_text("")
    with pytest.raises(ImportFailed, match="empty"):
        import_ice287g(empty, as_of=dt.date(2025, 7, 18))
    book = openpyxl.Workbook()
    book.active.append(["something", "else"])
    book.save(tmp_path / "participating.xlsx")
    with pytest.raises(ImportFailed, match="header"):
        import_ice287g(tmp_path / "participating.xlsx", as_of=dt.date(2025, 7, 18))


def test_bad_rows_are_reported_and_skipped(clean: None, tmp_path: Path) -> None:
    bad_state = [
        "ATLANTIS",
        "Nowhere Police Department",
        "Municipality",
        "",
        "Task Force Model",
        "2025-01-01",
        "",
        None,
    ]
    bad_model = [
        "TEXAS",
        "Dallas Police Department",
        "Municipality",
        "",
        "Harbor Model",
        "2025-01-01",
        "",
        None,
    ]
    bad_date = [
        "LOUISIANA",
        "Kenner Police Department",
        "Municipality",
        "",
        "Task Force Model",
        "05/082025",
        "",
        None,
    ]
    path = write_xlsx(tmp_path / "p.xlsx", [HARRIS, bad_state, bad_model, bad_date, HARRIS])
    result = import_ice287g(path, list_name="participating", as_of=dt.date(2025, 7, 18))
    notes = "\n".join(result.counts.notes)
    assert result.counts.skipped == 3  # state, model, duplicate
    assert (
        "unknown state 'ATLANTIS'" in notes and "Harbor Model" in notes and "same agency" in notes
    )
    # A typo in SIGNED does not void the agreement: it loads without a date, and is reported.
    assert "'05/082025'" in notes
    kenner = PolicyRecord.objects.get(agency_name="Kenner Police Department")
    assert kenner.signed_on is None and kenner.status == "in_force"
    assert PolicyRecord.objects.filter(policy__slug="agreement_287g").count() == 2


def test_a_list_that_would_end_most_agreements_is_refused(clean: None, tmp_path: Path) -> None:
    towns = [[*KENNER[:1], f"Town {n} Police Department", *KENNER[2:]] for n in range(30)]
    import_ice287g(
        write_xlsx(tmp_path / "full.xlsx", [HARRIS, *towns]),
        list_name="participating",
        as_of=dt.date(2025, 7, 1),
    )
    before = sorted(PolicyRecord.objects.values_list("key", "status", "ended_on"))
    tiny = write_xlsx(tmp_path / "tiny.xlsx", [HARRIS])
    with pytest.raises(ImportFailed, match="allow-shrink"):
        call_command(
            "import_ice287g", str(tiny), "--list", "participating", "--as-of", "2025-07-18"
        )
    assert (
        sorted(PolicyRecord.objects.values_list("key", "status", "ended_on")) == before
    )  # nothing half-written
    call_command(
        "import_ice287g",
        str(tiny),
        "--list",
        "participating",
        "--as-of",
        "2025-07-18",
        "--allow-shrink",
    )
    assert (
        PolicyRecord.objects.filter(policy__slug="agreement_287g", status="rescinded").count() == 30
    )


def test_pending_then_signed(clean: None, tmp_path: Path) -> None:
    pending = write_xlsx(tmp_path / "pendingAgencies06012025am.xlsx", [KENNER])
    import_ice287g(pending)
    kenner = PolicyRecord.objects.get(agency_name="Kenner Police Department")
    assert kenner.status == "proposed" and kenner.pending_first_seen_on == dt.date(2025, 6, 1)
    import_ice287g(write_xlsx(tmp_path / "participatingAgencies07012025am.xlsx", [KENNER]))
    kenner.refresh_from_db()
    assert kenner.status == "in_force" and kenner.first_seen_on == dt.date(2025, 7, 1)


def test_bundled_national_list() -> None:
    agreements = PolicyRecord.objects.filter(policy__slug="agreement_287g", importer="ice287g")
    participating = agreements.filter(source_file__startswith="287g_participating")
    assert participating.count() == 832
    assert (
        agreements.filter(source_file__startswith="287g_pending").count() == 26 - 1
    )  # one pending row is also signed
    unmatched = participating.filter(match_method="unmatched").count()
    assert unmatched / 832 <= 0.02
    assert agreements.filter(
        status="rescinded", first_seen_on__isnull=False
    ).exists()  # from the history file
    # A county name shared across states lands in the row's state.
    harris = participating.get(agency_name="Harris County Sheriff's Office")
    assert (harris.usps, harris.jurisdiction.geoid) == ("GA", "13145")
    trend = trend_287g(by="state")
    assert trend["series"][0]["key"] == "FL"
    assert trend_287g()["total"][-1] == participating.filter(status="in_force").count()

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from firstline.campaigns.models import Organization, Signature, SignatureStatus
from firstline.campaigns.tests import factories
from firstline.lib.importing import ImportFailed
from firstline.mail.models import Email

pytestmark = pytest.mark.django_db

HEADER = (
    "uuid,first_name,last_name,email,zip_code,can2_user_address,can2_user_city,can2_county,"
    "can2_state_abbreviated,can2_phone,can2_user_tags,Organization,Title,Website,Favorite Color\n"
)
ROWS = (
    "a1,Ana,Pérez,ana@example.org,77002,1 Main St,Houston,Harris,TX,555-0100,tag,Houston Immigrant Rights,Director,hirc.example.org,blue\n"
    "a2,Luis,Gómez,luis@example.org,78701,,,Travis County,TX,,,=cmd|calc,Organizer,,green\n"
    "a3,Jo,Smith,jo@example.org,,,,,,,,National Network,,https://nn.example.org,\n"
)


def run(tmp_path, text, *args):
    path = tmp_path / "an.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_actionnetwork_signatures", str(path), "--campaign", "end-287g", *args, stdout=out
    )
    return out.getvalue()


def test_import_maps_columns_reports_dropped_and_is_idempotent(tmp_path):
    factories.campaign()
    factories.harris()
    out = run(tmp_path, HEADER + ROWS)
    assert "inserted=3 updated=0 noop=0" in out
    assert (
        "zip_code" in out and "can2_user_address" in out and "can2_phone" in out
    )  # reported, not stored
    assert "Favorite Color" in out
    sigs = {
        s.organization.name: s
        for s in Signature.objects.select_related("organization__home_jurisdiction")
    }
    ana = sigs["Houston Immigrant Rights"]
    assert ana.status == SignatureStatus.VERIFIED and ana.source == "import"
    assert ana.contact_name == "Ana Pérez" and ana.contact_role == "Director"
    assert ana.organization.website == "https://hirc.example.org"
    assert ana.organization.home_jurisdiction.name in ("Houston city", "Houston")
    assert sigs["=cmd|calc"].organization.home_jurisdiction.name == "Travis County"
    assert sigs["National Network"].organization.home_jurisdiction is None
    assert not Email.objects.exists()  # imports send nothing
    assert "inserted=0 updated=0 noop=3" in run(tmp_path, HEADER + ROWS)


def test_import_dry_run_and_bad_row_change_nothing(tmp_path):
    factories.campaign()
    assert "[dry-run]" in run(tmp_path, HEADER + ROWS, "--dry-run")
    assert not Signature.objects.exists()
    bad = HEADER + ROWS + "a4,X,Y,not-an-email,,,,,TX,,,Bad Org,,,\n"
    with pytest.raises(ImportFailed, match=r"line 5.*'email'"):
        run(tmp_path, bad)
    assert not Signature.objects.exists() and not Organization.objects.exists()


def test_import_requires_an_organization_column(tmp_path):
    factories.campaign()
    with pytest.raises(ImportFailed, match="organization"):
        run(tmp_path, "first_name,last_name,email\nA,B,a@example.org\n")


def test_purge_task_runs_the_service():
    from firstline.campaigns.tasks import purge_signatures

    assert purge_signatures.call() == 0

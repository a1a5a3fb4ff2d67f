"""Data changes enqueue one regeneration; the task, the periodic job and the command write files."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from firstline.campaigns.models import (
    CampaignStatus,
    Organization,
    Signature,
    SignatureStatus,
)
from firstline.campaigns.tests.factories import campaign, harris
from firstline.geo.signals import geography_changed
from firstline.officials.signals import officials_changed
from firstline.opendata.datasets import DATASETS
from firstline.opendata.services import download_generate, downloads_stale
from firstline.opendata.storage import download_meta
from firstline.opendata.tasks import downloads_refresh_task
from firstline.policies.signals import scorecards_changed

pytestmark = pytest.mark.django_db


def queued() -> list[list[str]]:
    return [
        r.args_kwargs["kwargs"]["slugs"]
        for r in DBTaskResult.objects.filter(task_path__endswith="downloads_generate_task")
    ]


@pytest.fixture
def autogenerate(settings: Any) -> None:
    settings.OPENDATA_AUTOGENERATE = True
    DBTaskResult.objects.all().delete()
    cache.clear()


def test_each_signal_enqueues_its_datasets_once_until_the_run_starts(
    autogenerate: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        officials_changed.send(sender=officials_changed)
    with django_capture_on_commit_callbacks(execute=True):
        officials_changed.send(sender=officials_changed)  # a data load sends many
        scorecards_changed.send(sender=scorecards_changed, jurisdiction_ids={1})
    assert queued() == [["officials"], ["scorecards", "policies", "ice-287g"]]
    with django_capture_on_commit_callbacks(execute=True):
        geography_changed.send(sender=geography_changed)
    assert queued()[-1] == ["signatories"]  # the only one not already pending


def test_a_run_clears_its_mark_so_the_next_change_enqueues_again(
    autogenerate: None, own_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        officials_changed.send(sender=officials_changed)
    from firstline.opendata.tasks import downloads_generate_task

    assert downloads_generate_task.call(slugs=["officials"])["officials.csv"] > 40000
    with django_capture_on_commit_callbacks(execute=True):
        officials_changed.send(sender=officials_changed)
    assert queued() == [["officials"], ["officials"]]


def test_nothing_is_enqueued_when_switched_off(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OPENDATA_AUTOGENERATE = False
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        officials_changed.send(sender=officials_changed)
    assert queued() == []


def _signature(camp: Any, name: str, status: str, email: str) -> Signature:
    org = Organization.objects.create(
        name=name, name_key=name.lower(), similarity_key=name.lower(), home_jurisdiction=harris()
    )
    return Signature.objects.create(
        campaign=camp,
        organization=org,
        status=status,
        contact_name="Ana Contact",
        contact_email=email,
        email_hash=email,
    )


def test_signatories_list_approved_organizations_of_public_campaigns_only(
    autogenerate: None, own_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    public = campaign()
    draft = campaign(slug="draft-one", status=CampaignStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        _signature(
            public, "Houston Immigrant Rights Coalition", SignatureStatus.APPROVED, "a@hirc.example"
        )
    assert ["signatories"] in queued()  # an approval makes the list stale
    _signature(public, "Pending Org", SignatureStatus.PENDING, "b@pending.example")
    _signature(public, "Rejected Org", SignatureStatus.REJECTED, "c@rejected.example")
    _signature(draft, "Draft Supporter", SignatureStatus.APPROVED, "d@draft.example")
    download_generate(slug="signatories")
    text = (own_dir / "signatories.csv").read_text()
    rows = list(csv.DictReader(StringIO(text)))
    assert [(r["campaign"], r["organization"], r["home_ocd_id"]) for r in rows] == [
        (
            "end-287g",
            "Houston Immigrant Rights Coalition",
            "ocd-division/country:us/state:tx/county:harris",
        )
    ]
    assert len(rows) == DATASETS["signatories"].files[0].row_count()
    for private in ("Ana Contact", "@", "Pending Org", "Rejected Org", "Draft Supporter"):
        assert private not in text


def test_periodic_job_writes_what_is_missing_then_nothing(own_dir: Path) -> None:
    assert sorted(downloads_stale(max_age_hours=24)) == sorted(DATASETS)
    written = downloads_refresh_task.call()
    assert set(written) == {f.name for d in DATASETS.values() for f in d.files}
    assert downloads_stale(max_age_hours=24) == []
    assert downloads_refresh_task.call() == {}


def test_command_generates_the_named_datasets(own_dir: Path) -> None:
    out = StringIO()
    call_command("generate_downloads", "ice-287g", stdout=out)
    assert "ice_287g_agreements.csv: " in out.getvalue()
    assert download_meta(name="ice_287g_agreements.csv") is not None
    assert download_meta(name="officials.csv") is None

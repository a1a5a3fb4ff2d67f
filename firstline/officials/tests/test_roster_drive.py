"""The roster drive: invitations, the partner's form, review, and the browser upload."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from firstline.core.models import AuditEvent
from firstline.geo.models import Jurisdiction
from firstline.officials import services
from firstline.officials.importers_csv import COLUMNS
from firstline.officials.models import (
    ContactPoint,
    Office,
    Person,
    Role,
    RosterChange,
    RosterChangeStatus,
    Term,
)

pytestmark = pytest.mark.django_db
TARRANT = "ocd-division/country:us/state:tx/county:tarrant"


def _staff(*perms):
    user = User.objects.create_user("staffer", "staff@example.org", "pw", is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return user, client


def _invite(days=7):
    tarrant = Jurisdiction.objects.get(ocd_id=TARRANT)
    return services.roster_invite_create(
        jurisdictions=[tarrant],
        organization_name="Tarrant Friends",
        organization_email="team@tarrant.example.org",
        created_by=None,
        days=days,
    )


def test_partner_fills_in_the_sheriff_and_staff_accept():
    invite, token = _invite()
    assert invite.token_hash != token and len(invite.token_hash) == 64
    sheriff = Office.objects.get(jurisdiction__ocd_id=TARRANT, role=Role.SHERIFF)
    url = reverse("officials:roster_form", kwargs={"token": token})
    page = Client().get(url)
    assert page.status_code == 200 and "Sheriff of Tarrant County" in page.content.decode()
    prefix = f"o{sheriff.pk}"
    response = Client().post(
        url,
        {
            f"{prefix}-holder_name": "Pat Example",
            f"{prefix}-email": "Sheriff@Tarrant.example.org",
            f"{prefix}-source_url": "https://www.tarrantcountytx.gov/en/sheriff.html",
        },
    )
    assert response.status_code == 200 and "Staff will check" in response.content.decode()
    change = RosterChange.objects.get(office=sheriff)
    assert change.status == RosterChangeStatus.PENDING
    assert change.diff["holder_name"] == ["", "Pat Example"]
    # Nothing is written before review.
    assert not Term.objects.filter(office=sheriff, end_date__isnull=True).exists()

    # The link was spent.
    again = Client().get(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()

    user, staff = _staff("review_rosters")
    review = staff.get(reverse("officials:roster_review"))
    assert "Pat Example" in review.content.decode()
    staff.post(reverse("officials:roster_decide", kwargs={"pk": change.pk}), {"decision": "accept"})
    change.refresh_from_db()
    assert change.status == RosterChangeStatus.ACCEPTED and change.reviewed_by == user
    term = Term.objects.get(office=sheriff, end_date__isnull=True)
    assert term.person.name == "Pat Example" and term.verified_on == timezone.localdate()
    email = ContactPoint.objects.get(person=term.person, kind="email")
    assert email.value == "sheriff@tarrant.example.org"
    assert email.verified_by == user and email.source.startswith("https://www.tarrantcountytx.gov")
    assert AuditEvent.objects.filter(action="roster.change.accept").exists()


def test_an_expired_link_is_refused():
    _invite_obj, token = _invite(days=1)
    _invite_obj.expires_at = timezone.now() - dt.timedelta(minutes=1)
    _invite_obj.save()
    page = Client().get(reverse("officials:roster_form", kwargs={"token": token}))
    assert page.status_code == 410 and "expired" in page.content.decode()
    unknown = Client().get(reverse("officials:roster_form", kwargs={"token": "nope"}))
    assert unknown.status_code == 410


def test_an_entry_without_a_source_is_refused_and_nothing_is_spent():
    invite, token = _invite()
    sheriff = Office.objects.get(jurisdiction__ocd_id=TARRANT, role=Role.SHERIFF)
    url = reverse("officials:roster_form", kwargs={"token": token})
    response = Client().post(url, {f"o{sheriff.pk}-holder_name": "Pat Example"})
    assert "Tell us where this comes from" in response.content.decode()
    invite.refresh_from_db()
    assert invite.used_at is None and not RosterChange.objects.exists()


def test_review_needs_the_named_permission():
    _user, staff = _staff()
    assert staff.get(reverse("officials:roster_review")).status_code == 403
    assert staff.get(reverse("officials:roster_upload")).status_code == 403


def test_a_resident_suggestion_is_pending_and_rejectable():
    office = Office.objects.get(jurisdiction__ocd_id=TARRANT, role=Role.COUNTY_BOARD)
    url = reverse("officials:suggest", kwargs={"pk": office.pk})
    Client().post(
        url, {"email": "court@tarrant.example.org", "source_url": "https://example.org/x"}
    )
    change = RosterChange.objects.get(office=office)
    assert change.submitted_by_label == "public suggestion" and change.invite is None
    user, _client = _staff()
    services.roster_change_reject(change=change, reviewer=user)
    change.refresh_from_db()
    assert change.status == RosterChangeStatus.REJECTED
    assert not ContactPoint.objects.filter(value="court@tarrant.example.org").exists()


def test_stale_contacts_are_flagged(settings):
    from firstline.officials.selectors import contact_is_stale

    settings.ROSTER_STALE_DAYS = 30
    today = dt.date(2026, 12, 6)
    fresh = ContactPoint(kind="email", value="a@example.org", verified_on=dt.date(2026, 11, 30))
    old = ContactPoint(kind="email", value="a@example.org", verified_on=dt.date(2026, 10, 1))
    assert not contact_is_stale(contact=fresh, today=today)
    assert contact_is_stale(contact=old, today=today)
    assert contact_is_stale(contact=ContactPoint(kind="email", value="x"), today=today)


HEADER = ",".join(COLUMNS) + "\n"


def test_browser_upload_previews_then_confirms_and_a_bad_row_changes_nothing():
    _user, staff = _staff("edit_rosters")
    url = reverse("officials:roster_upload")
    good = f"{TARRANT},county_commissioner,4,Lee Example,lee@example.org,,,roster B,2026-12-01\n"
    bad = "48439,dogcatcher,,,,,,roster B,\n"
    before = Person.objects.count()
    page = staff.post(
        url,
        {
            "file": SimpleUploadedFile("r.csv", (HEADER + good + bad).encode()),
            "format": "template",
            "preview": "1",
        },
    )
    html = page.content.decode()
    assert "line 3" in html and "dogcatcher" in html and "Confirm the import" not in html
    staff.post(url, {"confirm": "1"})
    assert Person.objects.count() == before

    page = staff.post(
        url,
        {
            "file": SimpleUploadedFile("r.csv", (HEADER + good).encode()),
            "format": "template",
            "preview": "1",
        },
    )
    assert "1 to insert" in page.content.decode() and Person.objects.count() == before
    staff.post(url, {"confirm": "1"})
    assert Person.objects.filter(name="Lee Example").exists()


def test_open_states_and_mapped_uploads_use_the_same_importer():
    _user, staff = _staff("edit_rosters")
    url = reverse("officials:roster_upload")
    openstates = (
        "name,email,jurisdiction,role,current_district,capitol_voice,capitol_address,sources\n"
        "Kim Example,kim@example.org,ocd-jurisdiction/country:us/state:tx/place:fort_worth/government,"
        "council_member,2,555-0101,,https://www.fortworthtexas.gov/;https://x\n"
    )
    page = staff.post(
        url,
        {
            "file": SimpleUploadedFile("os.csv", openstates.encode()),
            "format": "openstates",
            "preview": "1",
        },
    )
    assert "1 to insert" in page.content.decode(), page.content.decode()[:3000]
    mapped = "Where,Office,Seat,Who,Mail,Src\nTarrant County TX,county_commissioner,5,Ro Example,ro@example.org,roster C\n"
    data = {"file": SimpleUploadedFile("m.csv", mapped.encode()), "format": "mapping", "preview": "1",
            "map_jurisdiction": "Where", "map_role": "Office", "map_district": "Seat", "map_name": "Who",
            "map_email": "Mail", "map_source": "Src"}  # fmt: skip
    page = staff.post(url, data)
    assert "unknown jurisdiction" in page.content.decode()  # "Tarrant County TX" lacks the comma

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from firstline.delivery import responses, sending
from firstline.delivery.models import Delivery, LetterCopy, Target
from firstline.officials.models import Role

from . import helpers as h


def test_dashboard_preview_and_freeze_flow(staff_client, db, django_assert_max_num_queries):
    h.texas_and_illinois_facts()
    tx = h.tarrant()
    h.office(tx, Role.SHERIFF, email="sheriff@tarrantcounty.example.org")
    camp = h.campaign("flow")
    url = reverse("delivery:rule_add", args=[camp.slug])
    response = staff_client.post(
        url, {"roles": [Role.SHERIFF], "geography": "jurisdictions", "jurisdictions": "Tarrant County, TX",
              "policy": h.policy("agreement_287g").pk, "policy_condition": "in_force", "language": "en"},
    )  # fmt: skip
    assert response.status_code == 302
    with django_assert_max_num_queries(25):
        page = staff_client.get(reverse("delivery:dashboard", args=[camp.slug]))
    assert page.status_code == 200 and "Preview: 1 target" in page.content.decode()
    staff_client.post(reverse("delivery:action", args=[camp.slug, "freeze"]))
    assert Target.objects.filter(campaign=camp).count() == 1


def test_staff_only_pages_refuse_outsiders(client, rendered):
    letter = LetterCopy.objects.filter(campaign=rendered).first()
    for url in (
        reverse("delivery:dashboard", args=[rendered.slug]),
        reverse("delivery:letter", args=[letter.pk]),
        reverse("delivery:progress", args=[rendered.slug]),
    ):
        assert client.get(url).status_code == 302  # to the admin login


def test_letter_preview_and_progress(staff_client, rendered, django_assert_max_num_queries):
    letter = LetterCopy.objects.filter(campaign=rendered, target__email__gt="").first()
    page = staff_client.get(reverse("delivery:letter", args=[letter.pk]))
    assert page.status_code == 200 and "287(g)" in page.content.decode()
    sending.delivery_start(campaign=rendered)
    sending.delivery_pump(campaign_id=rendered.pk)
    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("delivery:progress", args=[rendered.slug]))
    body = page.content.decode()
    assert "sent 1" in body and "remaining 0 of 1" in body


def test_public_accountability_page(client, rendered, staff_user, django_assert_max_num_queries):
    target = Target.objects.get(campaign=rendered, jurisdiction=h.tarrant())
    responses.response_log(
        campaign=rendered, target=target, kind="commitment", policies=[h.policy("no_287g")],
        commitment_date=dt.date(2027, 1, 1), by=staff_user,
    )  # fmt: skip
    with django_assert_max_num_queries(10):
        page = client.get(reverse("delivery:accountability", args=[rendered.slug]))
    body = page.content.decode()
    assert page.status_code == 200 and "Tarrant" in body
    es = client.get(f"/es/delivery/{rendered.slug}/accountability/")
    assert es.status_code == 200


def test_campaign_summary_counts(rendered, settings):
    from firstline.delivery.selectors import campaign_delivery_summary

    sending.delivery_start(campaign=rendered)
    sending.delivery_pump(campaign_id=rendered.pk)
    summary = campaign_delivery_summary(campaign=rendered)
    assert summary["targets"] == 2 and summary["delivered"] == 1 and summary["queued"] == 1
    assert Delivery.objects.filter(campaign=rendered).count() == 2


def test_mark_printed_letter_from_the_dashboard(
    staff_client, rendered, django_assert_max_num_queries
):
    sending.delivery_start(campaign=rendered)
    with django_assert_max_num_queries(30):
        page = staff_client.get(reverse("delivery:dashboard", args=[rendered.slug]))
    assert "Printed letters to deliver" in page.content.decode()
    printed = Delivery.objects.get(campaign=rendered, channel="print")
    staff_client.post(
        reverse("delivery:mark", args=[printed.pk]), {"status": "mailed", "on": "2026-12-02"}
    )
    printed.refresh_from_db()
    assert printed.status == "mailed" and str(printed.delivered_on) == "2026-12-02"


def test_accountability_page_of_a_draft_is_not_found(db, client):
    from firstline.campaigns.models import Campaign, CampaignStatus

    draft = Campaign.objects.create(
        slug="secret-draft", title="Not yet", status=CampaignStatus.DRAFT, letter_en="x"
    )
    assert client.get(f"/en/delivery/{draft.slug}/accountability/").status_code == 404
    Campaign.objects.filter(pk=draft.pk).update(status=CampaignStatus.COLLECTING)
    assert client.get(f"/en/delivery/{draft.slug}/accountability/").status_code == 200


def test_letters_and_packets_are_never_cached(staff_client, rendered, staff_user):
    # They carry signers' organizations and names: no copy in a shared or browser cache.
    from firstline.delivery import printing

    letter = LetterCopy.objects.filter(campaign=rendered).first()
    for url in (
        reverse("delivery:letter", args=[letter.pk]),
        reverse("delivery:letter_pdf", args=[letter.pk]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], url
    sending.delivery_start(campaign=rendered)
    packet = printing.print_packet_build(
        campaign=rendered, scope="county", jurisdiction=h.cook(), by=staff_user
    )
    response = staff_client.get(reverse("delivery:packet", args=[packet.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:4] == b"%PDF"


def _packet_tasks() -> list[list[object]]:
    from django_tasks_db.models import DBTaskResult

    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.filter(task_path__endswith="build_packet")
    ]


def test_a_packet_builds_in_a_task_and_the_dashboard_follows_it(
    staff_client, rendered, django_capture_on_commit_callbacks
):
    from firstline.delivery import printing
    from firstline.delivery.models import PrintPacket

    sending.delivery_start(campaign=rendered)
    dashboard = reverse("delivery:dashboard", args=[rendered.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("delivery:packet_create", args=[rendered.slug]),
            {"scope": "county", "jurisdiction": h.cook().ocd_id},
        )
    packet = PrintPacket.objects.get(campaign=rendered)
    assert response["Location"] == f"{dashboard}?packet={packet.pk}#print"
    assert (packet.status, packet.letters_total, packet.pdf.name) == ("queued", 1, "")
    assert _packet_tasks() == [[packet.pk]]  # enqueued once the request committed
    assert staff_client.get(reverse("delivery:packet", args=[packet.pk])).status_code == 404
    page = staff_client.get(f"{dashboard}?packet={packet.pk}").content.decode()
    assert "Packet queued" in page and 'http-equiv="refresh"' in page

    printing.print_packet_render(packet_id=packet.pk)  # what the worker's task runs
    packet.refresh_from_db()
    assert (packet.status, packet.letters_done) == ("done", 1) and packet.pages >= 2
    page = staff_client.get(f"{dashboard}?packet={packet.pk}").content.decode()
    assert "Packet ready" in page and 'http-equiv="refresh"' not in page
    assert reverse("delivery:packet", args=[packet.pk]) in page
    assert Delivery.objects.get(campaign=rendered, channel="print").status == "printed"


def test_a_failed_packet_says_why_and_can_be_retried(
    staff_client, rendered, staff_user, django_capture_on_commit_callbacks
):
    from firstline.delivery import printing

    letters = list(printing.selectors.print_letters(campaign=rendered, jurisdiction=h.cook()))
    packet = printing.print_packet_request(
        campaign=rendered, scope="county", jurisdiction=h.cook(), by=staff_user
    )
    packet.letters.clear()  # its letters went away before the worker picked it up
    packet = printing.print_packet_render(packet_id=packet.pk)
    assert packet.status == "failed" and "no letters left" in packet.error
    dashboard = reverse("delivery:dashboard", args=[rendered.slug]) + f"?packet={packet.pk}"
    page = staff_client.get(dashboard).content.decode()
    assert "Packet failed" in page and "no letters left" in page and "Retry the packet" in page

    packet.letters.set(letters)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("delivery:packet_retry", args=[packet.pk]), {"next": dashboard}
        )
    assert response["Location"] == dashboard
    packet.refresh_from_db()
    assert (packet.status, packet.error) == ("queued", "")
    assert [packet.pk] in _packet_tasks()
    assert printing.print_packet_render(packet_id=packet.pk).status == "done"
    # A finished packet is not retried (nor built twice).
    assert not printing.print_packet_retry(packet=packet, by=staff_user)
    # An outside "next" is ignored.
    response = staff_client.post(
        reverse("delivery:packet_retry", args=[packet.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"].startswith("/")


def test_a_stalled_packet_can_be_retried_and_is_built_once(staff_client, rendered, staff_user):
    import datetime

    from django.utils import timezone

    from firstline.delivery import printing
    from firstline.delivery.models import PrintPacket

    packet = printing.print_packet_request(
        campaign=rendered, scope="county", jurisdiction=h.cook(), by=staff_user
    )
    page = reverse("delivery:dashboard", args=[rendered.slug]) + f"?packet={packet.pk}"
    # A packet still moving is not retried.
    assert not printing.print_packet_retry(packet=packet, by=staff_user)
    assert "Stalled" not in staff_client.get(page).content.decode()
    # Its worker stopped mid-build 11 minutes ago.
    PrintPacket.objects.filter(pk=packet.pk).update(
        status="building", updated_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    shown = staff_client.get(page).content.decode()
    assert "Stalled" in shown and "Retry the packet" in shown
    assert printing.print_packet_retry(packet=packet, by=staff_user)
    assert printing.print_packet_render(packet_id=packet.pk).status == "done"
    # The same task delivered twice finds the packet built and does not build it again.
    before = PrintPacket.objects.get(pk=packet.pk).updated_at
    assert printing.print_packet_render(packet_id=packet.pk).updated_at == before

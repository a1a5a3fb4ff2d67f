from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from firstline.campaigns import abuse
from firstline.campaigns.models import Signature, SignatureStatus
from firstline.campaigns.services import signature_approve, signature_token
from firstline.campaigns.tests import factories
from firstline.lib.crypto import lookup_hash
from firstline.lib.pow import pow_challenge_create, pow_payload, pow_solve
from firstline.mail.models import Email

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    cache.clear()
    monkeypatch.setattr(abuse, "MIN_FILL_SECONDS", 0)
    yield
    cache.clear()


def solved_pow() -> str:
    challenge = pow_challenge_create(max_number=2000)
    number = pow_solve(challenge)
    assert number is not None
    return pow_payload(challenge, number)


def form_data(**kw):
    data = {
        "org_name": "Houston Immigrant Rights Coalition",
        "org_website": "https://hirc.example.org",
        "org_type": "local",
        "home": "Harris County, TX",
        "contact_name": "Ana Pérez",
        "contact_email": "ana@example.org",
        "contact_role": "Director",
        "form_ts": abuse.form_timestamp(),
        "pow": solved_pow(),
        "homepage": "",
    }
    data.update(kw)
    return data


def sign_url(campaign, lang="en"):
    with translation.override(lang):
        return reverse("campaigns:sign", kwargs={"slug": campaign.slug})


def detail_url(campaign, lang="en"):
    with translation.override(lang):
        return reverse("campaigns:detail", kwargs={"slug": campaign.slug})


def test_list_and_detail_in_both_languages(client, django_assert_max_num_queries):
    campaign = factories.campaign()
    factories.harris()
    with django_assert_max_num_queries(6):
        response = client.get("/en/campaigns/")
    assert response.status_code == 200 and "End 287(g) in Texas" in response.text
    response = client.get("/es/campaigns/")
    assert "Fin al 287(g) en Texas" in response.text and "Campañas" in response.text
    en = client.get(detail_url(campaign))
    assert (
        "We, the undersigned organizations" in en.text and "Sign on as an organization" in en.text
    )
    assert "never sent to officials" in en.text and 'name="pow"' in en.text
    es = client.get(detail_url(campaign, "es"))
    assert "Las organizaciones firmantes" in es.text and "Firme como organización" in es.text
    assert "nunca se envían a los funcionarios" in es.text


def test_draft_campaigns_are_not_public(client):
    factories.campaign(status="draft")
    assert client.get("/en/campaigns/end-287g/").status_code == 404


def test_detail_query_budget_with_many_signatories(client, django_assert_max_num_queries):
    campaign = factories.campaign()
    from firstline.campaigns.services import signature_submit

    for i in range(30):
        signature_submit(
            campaign=campaign,
            org_name=f"Org {i}",
            org_type=["national", "state", "local"][i % 3],
            home_jurisdiction=factories.harris() if i % 2 else factories.texas(),
            contact_name="x",
            contact_email=f"o{i}@example.org",
        )
    Signature.objects.update(status=SignatureStatus.APPROVED)
    with django_assert_max_num_queries(8):
        response = client.get(detail_url(campaign))
    assert "30 organizations have signed" in response.text
    assert response.text.index("National <span") < response.text.index("Texas <span")


def test_sign_verify_approve_flow(staff_client):
    from django.test import Client

    client = Client()
    campaign = factories.campaign()
    factories.harris()
    response = client.post(sign_url(campaign, "es"), form_data())
    assert response.status_code == 302 and "/es/campaigns/end-287g/thanks/" in response["Location"]
    sig = Signature.objects.get()
    assert sig.status == SignatureStatus.PENDING and sig.language == "es"
    assert sig.organization.home_jurisdiction == factories.harris()
    email = Email.objects.get()
    link = next(w for w in email.text.split() if "/confirm/" in w)
    path = link.replace("http://127.0.0.1:8000", "")
    page = client.get(path)
    assert page.status_code == 200 and "Confirmar" in page.text
    assert Signature.objects.get().status == SignatureStatus.PENDING  # GET never confirms
    assert client.post(path).status_code == 200
    assert Signature.objects.get().status == SignatureStatus.VERIFIED
    # A used link says so, and offers no "Confirm" button.
    used = client.get(path)
    assert (
        "Esta firma ya está confirmada" in used.text and 'id="confirm-signature"' not in used.text
    )
    assert "Qué pasa ahora" in used.text
    # Staff approve through the admin action.
    response = staff_client.post(
        reverse("admin:campaigns_signature_changelist"),
        {"action": "approve", "_selected_action": [sig.pk]},
    )
    assert response.status_code == 302
    assert Signature.objects.get().status == SignatureStatus.APPROVED
    for lang in ("en", "es"):
        assert "Houston Immigrant Rights Coalition" in client.get(detail_url(campaign, lang)).text
    # The signer is told, in the language they signed in, once.
    approved = Email.objects.get(kind="signature_approved")
    assert approved.language == "es" and approved.to == "ana@example.org"
    assert "ya figura como firmante" in approved.subject and "Qué pasa ahora" in approved.text
    signature_approve(signatures=Signature.objects.all())
    assert Email.objects.filter(kind="signature_approved").count() == 1


def test_thanks_page_says_what_happens_next(client):
    campaign = factories.campaign()
    html = client.get(f"/en/campaigns/{campaign.slug}/thanks/").text
    assert "What happens next" in html and "If the details were valid" not in html


def test_failed_submit_summarizes_errors_at_the_top_with_links(client):
    campaign = factories.campaign()
    response = client.post(sign_url(campaign), form_data(org_name="", contact_email="nope"))
    assert response.status_code == 400
    html = response.text
    summary = html.index('id="error-summary"')
    assert summary < html.index('id="letter-h"')  # before the letter, near the top
    assert 'href="#id_org_name"' in html and 'href="#id_contact_email"' in html
    assert 'tabindex="-1"' in html


def test_campaign_page_has_a_sign_link_on_top_and_share_tags(client):
    campaign = factories.campaign()
    html = client.get(detail_url(campaign, "es")).text
    assert html.index('href="#sign"') < html.index('id="letter-h"') < html.index('id="sign"')
    image = f"/es/campaigns/{campaign.slug}/share.png"
    for tag in (
        f'<meta property="og:image" content="http://127.0.0.1:8000{image}">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta property="og:locale" content="es_US">',
    ):
        assert tag in html
    response = client.get(image)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (1200, 630)
    assert client.get(image).content == png  # cached: the same bytes
    assert client.get("/es/campaigns/no-such-campaign/share.png").status_code == 404


def test_forged_and_expired_links_are_refused(client, settings):
    campaign = factories.campaign()
    client.post(sign_url(campaign), form_data())
    sig = Signature.objects.get()
    token = signature_token(signature=sig)
    assert client.get(f"/en/campaigns/confirm/{token[:-2]}zz/").status_code == 400
    assert client.post(f"/en/campaigns/confirm/{sig.pk}.deadbeef:1abc:xyz/").status_code == 400
    settings.SIGNATURE_VERIFY_MAX_AGE_HOURS = 0
    import time as _time

    _time.sleep(1.1)
    response = client.post(f"/en/campaigns/confirm/{token}/")
    assert response.status_code == 400 and "expired" in response.text
    assert Signature.objects.get().status == SignatureStatus.PENDING


def test_resubmission_over_http_updates_not_duplicates(client):
    campaign = factories.campaign()
    client.post(sign_url(campaign), form_data())
    client.post(
        sign_url(campaign),
        form_data(contact_name="Ana María", org_name="HOUSTON immigrant rights coalition"),
    )
    assert Signature.objects.count() == 1
    assert Signature.objects.get().contact_name == "Ana María"


def test_a_sign_on_counts_and_stores_in_one_transaction(
    client, settings, django_capture_on_commit_callbacks
):
    """The counters, the organization, the signature, the outbox row and its
    send task commit together, and nothing else is written: the open-data
    downloads do not go stale for a pending signature or a new organization."""
    settings.OPENDATA_AUTOGENERATE = True
    campaign = factories.campaign()
    client.post(sign_url(campaign), form_data(contact_email="w@example.org", org_name="Warm Org"))
    # New organization and signer, then the same again (an update).
    for data, budget in ((form_data(), 14), (form_data(contact_name="Ana María"), 11)):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            assert client.post(sign_url(campaign), data).status_code == 302
        sql = [q["sql"] for q in queries.captured_queries]
        # Inside the test's transaction, the sign-on's own transaction is a savepoint.
        begin = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
        name = sql[begin].split()[-1]
        end = sql.index(f"RELEASE SAVEPOINT {name}")
        writes = [i for i, s in enumerate(sql) if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
        assert writes and all(begin < i < end for i in writes), sql
        assert any("core_abusecounter" in sql[i] for i in writes)
        assert any("dbtaskresult" in sql[i] for i in writes)
        assert not any("cache" in s for s in sql), sql
        assert len(sql) <= budget, sql
        assert not callbacks
    assert Signature.objects.get(email_hash=lookup_hash("ana@example.org")).submit_count == 2


def test_honeypot_answers_like_success_but_stores_nothing(client):
    campaign = factories.campaign()
    response = client.post(sign_url(campaign), form_data(homepage="http://spam.example"))
    assert (
        response.status_code == 302
        and not Signature.objects.exists()
        and not Email.objects.exists()
    )


def test_too_fast_and_forged_timestamps(client, monkeypatch):
    campaign = factories.campaign()
    monkeypatch.setattr(abuse, "MIN_FILL_SECONDS", 3)
    response = client.post(sign_url(campaign), form_data())
    assert response.status_code == 400 and "very fast" in response.text
    response = client.post(sign_url(campaign), form_data(form_ts="signon:1abc:forged"))
    assert response.status_code == 400 and not Signature.objects.exists()


def test_proof_of_work_rejects_forgery_and_replay(client):
    campaign = factories.campaign()
    payload = solved_pow()
    assert client.post(sign_url(campaign), form_data(pow=payload)).status_code == 302
    replay = client.post(sign_url(campaign), form_data(pow=payload, contact_email="x@example.org"))
    assert replay.status_code == 400 and "anti-spam" in replay.text
    forged = json.loads(__import__("base64").b64decode(solved_pow()))
    forged["number"] += 1
    bad = __import__("base64").b64encode(json.dumps(forged).encode()).decode()
    assert (
        client.post(
            sign_url(campaign), form_data(pow=bad, contact_email="y@example.org")
        ).status_code
        == 400
    )
    assert Signature.objects.count() == 1


def test_without_pow_a_few_are_accepted_then_limited(client):
    campaign = factories.campaign()
    codes = [
        client.post(
            sign_url(campaign), form_data(pow="", contact_email=f"n{i}@example.org")
        ).status_code
        for i in range(abuse.NO_POW_PER_CLIENT.max_hits + 1)
    ]
    assert codes[:-1] == [302] * abuse.NO_POW_PER_CLIENT.max_hits and codes[-1] == 429


def test_rate_limit_per_email(client):
    campaign = factories.campaign()
    codes = [
        client.post(
            sign_url(campaign), form_data(org_name=f"Org {i}"), REMOTE_ADDR=f"10.0.0.{i}"
        ).status_code
        for i in range(abuse.PER_EMAIL.max_hits + 1)
    ]
    assert codes[-1] == 429 and codes[:-1] == [302] * abuse.PER_EMAIL.max_hits
    assert Signature.objects.count() == abuse.PER_EMAIL.max_hits


def test_rate_limit_per_client_and_no_ip_stored(client):
    campaign = factories.campaign()
    codes = [
        client.post(
            sign_url(campaign),
            form_data(contact_email=f"c{i}@example.org"),
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for i in range(abuse.PER_CLIENT.max_hits + 1)
    ]
    assert codes[-1] == 429
    from firstline.core.models import AbuseCounter

    keys = list(AbuseCounter.objects.values_list("key", flat=True))
    assert keys and not any("203.0.113" in k for k in keys)
    assert Signature.objects.count() == abuse.PER_CLIENT.max_hits


def test_unknown_place_offers_candidates_without_js(client):
    campaign = factories.campaign()
    factories.harris()
    response = client.post(sign_url(campaign), form_data(home="Harri"))
    assert (
        response.status_code == 400
        and "Harris County, TX" in response.text
        and 'name="home"' in response.text
    )
    assert client.post(sign_url(campaign), form_data(home="Harris County, TX")).status_code == 302


def test_hostile_input_is_normalized_limited_and_escaped_everywhere(staff_client):
    client = staff_client
    campaign = factories.campaign()
    data = form_data(
        org_name='=HYPERLINK("http://evil")' + XSS,
        contact_name="@SUM(1)" + XSS + "\u202e\u200b",
        contact_role="+cmd|' /C calc'!A0" + XSS,
        org_website="javascript:alert(1)",
    )
    assert client.post(sign_url(campaign), data).status_code == 400  # javascript: URL refused
    data["org_website"] = ""
    data["form_ts"], data["pow"] = abuse.form_timestamp(), solved_pow()
    assert client.post(sign_url(campaign), data).status_code == 302
    sig = Signature.objects.get()
    assert "\u202e" not in sig.contact_name and "\u200b" not in sig.contact_name
    # Email: the HTML part escapes, the subject and text carry it as inert text.
    email = Email.objects.get()
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "\n" not in email.subject
    Signature.objects.update(status=SignatureStatus.VERIFIED)
    signature_approve(signatures=Signature.objects.all())
    page = client.get(detail_url(campaign)).text
    assert (
        "<script>alert" not in page
        and "&lt;script&gt;alert" in page
        and "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    )
    # CSV: every hostile cell starts with a quote, so no spreadsheet evaluates it.
    export = staff_client.get(reverse("campaigns:export_csv", kwargs={"pk": campaign.pk}))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows[0]["organization"].startswith("'=HYPERLINK")
    assert rows[0]["contact_name"].startswith("'@SUM")
    assert rows[0]["contact_role"].startswith("'+cmd")
    osdi = staff_client.get(reverse("campaigns:export_osdi", kwargs={"pk": campaign.pk})).json()
    assert osdi["_embedded"]["osdi:signatures"][0]["custom_fields"]["organization"].startswith(
        "=HYPERLINK"
    )


def test_overlong_fields_are_refused(client):
    campaign = factories.campaign()
    response = client.post(
        sign_url(campaign), form_data(org_name="x" * 5000, contact_email="a" * 300 + "@example.org")
    )
    assert response.status_code == 400 and not Signature.objects.exists()


def test_exports_and_preview_are_staff_only(outsider_user, staff_client):
    from django.test import Client

    client = Client()
    campaign = factories.campaign()
    for name in ("campaigns:export_csv", "campaigns:export_osdi"):
        url = reverse(name, kwargs={"pk": campaign.pk})
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(outsider_user)
        assert client.get(url).status_code == 403
        client.logout()
        export = staff_client.get(url)
        assert export.status_code == 200
        # Signers' names and emails must not sit in a shared or browser cache.
        assert "no-store" in export["Cache-Control"]
    preview = reverse("campaigns:preview", kwargs={"pk": campaign.pk})
    assert client.post(preview, {"letter": "x"}).status_code == 302
    response = staff_client.post(
        preview,
        {
            "letter": "Dear {{ official.title }}, <script>x()</script> [a](javascript:alert(1)) {{ bogus }}",
            "language": "es",
        },
    )
    body = response.json()
    assert "[Cargo del funcionario]" in body["html"] and "<script>" not in body["html"]
    assert 'href="javascript' not in body["html"] and body["unknown"] == ["bogus"]


def test_admin_pages_render(staff_client):
    campaign = factories.campaign()
    assert (
        staff_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).status_code
        == 200
    )
    assert staff_client.get(reverse("admin:campaigns_signature_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:campaigns_organization_changelist")).status_code == 200


def test_jurisdiction_search_endpoint(client):
    factories.harris()
    data = client.get("/en/campaigns/jurisdictions/?q=harris, tx").json()
    assert "Harris County, TX" in [r["label"] for r in data["results"]]
    assert client.get("/en/campaigns/jurisdictions/?q=h").json() == {"results": []}


def test_the_site_has_no_bench_view(client):
    """The benchmark's trivial view lives in bench/signon_urls.py, not in the app."""
    assert client.post("/en/campaigns/bench/echo/").status_code == 404
    assert client.post("/en/bench/echo/").status_code == 404


def test_bench_settings_refuse_production():
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {"FIRSTLINE_ENV": "production", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", "import bench.signon_settings"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "for the benchmark only" in done.stderr, done.stderr


def test_sign_on_post_stores_it_in_one_transaction_without_a_session(client):
    """The POST itself stores the organization, the signature and the outbox
    row; the answer comes after the commit. No session is written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = factories.campaign()
    factories.harris()
    with CaptureQueriesContext(connection) as queries:
        assert client.post(sign_url(campaign), form_data()).status_code == 302
    # Campaign, jurisdiction (2), counters, the collecting re-check, organization
    # (read, insert, look-alike), signature (read, insert), outbox row, and the
    # savepoints around them: a budget, so a stray query per field shows up.
    assert len(queries) <= 20, queries.captured_queries
    assert "sessionid" not in client.cookies
    sig = Signature.objects.get()
    assert sig.submit_count == 1 and Email.objects.get().to == "ana@example.org"


def test_a_closed_campaign_refuses_and_stores_nothing(client):
    campaign = factories.campaign()
    assert client.post(sign_url(campaign), form_data()).status_code == 302
    type(campaign).objects.filter(pk=campaign.pk).update(status="closed")
    response = client.post(sign_url(campaign), form_data(contact_email="late@example.org"))
    assert response.status_code == 302 and response["Location"].endswith("/end-287g/")
    assert Signature.objects.count() == 1 and Email.objects.count() == 1


def test_a_failed_write_is_not_acknowledged(client, monkeypatch):
    """If storing fails, the signer does not get "check your email", and no part
    of the sign-on (organization, signature, email) is kept."""
    from django.db import OperationalError
    from django.test import Client

    from firstline.campaigns import services
    from firstline.campaigns.models import Organization

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "email_queue", broken)
    campaign = factories.campaign()
    response = Client(raise_request_exception=False).post(sign_url(campaign), form_data())
    assert response.status_code == 500
    assert not Organization.objects.filter(name__startswith="Houston Immigrant").exists()
    assert not Signature.objects.exists() and not Email.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_email": "not-an-email"},
        {"org_website": "javascript:alert(1)"},
        {"org_type": "galactic"},
        {"org_name": "x"},
        {"home": "Harri"},  # ambiguous: candidates, not valid
        {"home": ""},
        {"contact_role": "x" * 121},
    ],
)
def test_invalid_sign_ons_are_refused_and_store_nothing(client, changes):
    campaign = factories.campaign()
    factories.harris()
    assert client.post(sign_url(campaign), form_data(**changes)).status_code == 400
    assert not Signature.objects.exists() and not Email.objects.exists()


def test_the_datalist_choice_and_edited_text(client):
    """The hidden id counts while the visible text is its label; text edited
    after choosing wins."""
    from firstline.campaigns.selectors import jurisdiction_label

    campaign = factories.campaign()
    harris = factories.harris()
    data = form_data(home_id=str(harris.pk), home=jurisdiction_label(harris))
    assert client.post(sign_url(campaign), data).status_code == 302
    data = form_data(home_id=str(harris.pk), home="Texas", contact_email="b@example.org")
    assert client.post(sign_url(campaign), data).status_code == 302
    homes = set(Signature.objects.values_list("organization__home_jurisdiction_id", flat=True))
    assert homes == {harris.pk, factories.texas().pk}


def test_the_answer_does_not_reveal_who_has_signed(client):
    """New, re-submitted and rejected signers get the very same answer."""
    campaign = factories.campaign()
    first = client.post(sign_url(campaign), form_data())
    again = client.post(sign_url(campaign), form_data(contact_name="Someone else"))
    Signature.objects.update(status=SignatureStatus.REJECTED)
    rejected = client.post(sign_url(campaign), form_data(contact_name="Third try"))
    answers = {(r.status_code, r["Location"], r.content) for r in (first, again, rejected)}
    assert len(answers) == 1
    assert Signature.objects.get().submit_count == 3


def test_public_page_never_decrypts_signers(client, settings):
    """With the key that encrypted the contacts gone (a misconfigured key), the
    public page still lists the organizations: it never reads the contacts."""
    from cryptography.fernet import Fernet

    from firstline.campaigns.services import signature_submit
    from firstline.lib import crypto

    campaign = factories.campaign()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    crypto._fernet_for.cache_clear()
    signature_submit(
        campaign=campaign, org_name="Casa Harris", org_type="local",
        home_jurisdiction=factories.harris(), contact_name="Ana", contact_email="a@example.org",
    )  # fmt: skip
    Signature.objects.update(status=SignatureStatus.APPROVED)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a different key
    crypto._fernet_for.cache_clear()
    try:
        with pytest.raises(Exception):
            Signature.objects.get().contact_email
        response = client.get(detail_url(campaign))
        assert response.status_code == 200 and "Casa Harris" in response.text
    finally:
        crypto._fernet_for.cache_clear()

"""Two letter copies in Debian's Chromium, against the production server (gunicorn).

A campaign asking for every protection is rendered on a clone of the national
test data: Tarrant County's sheriff in English, Houston's mayor in Spanish.
Staff open each copy beside its reasoning. With FIRSTLINE_SCREENSHOT_DIR set,
the two pages are saved there as PNGs (docs/img/letter-*.png were made so).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from firstline import testing
from firstline.delivery.models import LetterCopy

SLUG = "letters-that-tell-the-truth"

# Run inside the clone (``manage.py shell -c``): the same services staff use.
SETUP = f"""
from firstline.campaigns.models import Campaign, Organization, Signature
from firstline.campaigns.services import signature_approve
from firstline.delivery import rendering, targeting
from firstline.delivery.models import GeographyKind
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office, Person, Term
from firstline.policies.models import Policy

camp = Campaign.objects.create(
    slug="{SLUG}", title="End ICE entanglement", title_es="Fin a la colaboración con ICE",
    letter_en="We write on behalf of the people of {{{{ jurisdiction.name }}}}, and of the "
    "{{{{ signatory_count }}}} organizations below.\\n\\n{{{{ gaps }}}}\\n\\nSincerely,",
    letter_es="Le escribimos en nombre de la gente de {{{{ jurisdiction.name }}}} y de las "
    "{{{{ signatory_count }}}} organizaciones que firman.\\n\\n{{{{ gaps }}}}\\n\\nAtentamente,",
    languages=["en", "es"], status="collecting", reply_name="Ana Ruiz",
    reply_organization="Texas Immigrant Coalition", reply_email="ana@coalition.example.org",
    reply_phone="+1 512 555 0100",
)
camp.asks.set(Policy.objects.filter(kind="protective"))
J = lambda suffix: Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:" + suffix)
tarrant, houston = J("tx/county:tarrant"), J("tx/place:houston")
office = Office.objects.filter(jurisdiction=tarrant, role="sheriff").order_by("pk").first()
person = Person.objects.create(ocd_person_id="e2e:waybourn", name="Bill E. Waybourn", family_name="Waybourn")
Term.objects.create(person=person, office=office)
for name, home in (("Fort Worth Neighbors", tarrant), ("Houston Rapid Response", houston), ("Texas Faith Network", None)):
    org = Organization.objects.create(name=name, name_key=name.casefold(), similarity_key=name.casefold(), home_jurisdiction=home)
    Signature.objects.create(campaign=camp, organization=org, status="verified", contact_email="x@example.org", email_hash="e2e-" + name)
signature_approve(signatures=Signature.objects.filter(campaign=camp))
targeting.target_rule_add(campaign=camp, roles=["sheriff"], geography=GeographyKind.JURISDICTIONS, jurisdictions=[tarrant])
targeting.target_rule_add(campaign=camp, roles=["mayor"], geography=GeographyKind.JURISDICTIONS, jurisdictions=[houston], language="es")
targeting.targets_freeze(campaign=camp)
rendering.letters_render_batch(campaign_id=camp.pk, target_ids=list(camp.targets.values_list("pk", flat=True)))
"""


@pytest.fixture(scope="session")
def released_connections(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connections.close_all()


def _shoot(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get("FIRSTLINE_SCREENSHOT_DIR")
    if target:
        shutil.copy(path, Path(target) / path.name)


@pytest.mark.e2e
def test_sheriff_letter_in_english_and_mayor_letter_in_spanish(
    released_connections, django_db_blocker, page, tmp_path, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("collectstatic", interactive=False, verbosity=0)
    with (
        django_db_blocker.unblock(),
        testing.app_server("letters-e2e", with_worker=False) as server,
    ):
        server.manage("shell", "-c", SETUP, timeout=300)
        db = server.alias
        get_user_model().objects.db_manager(db).create_user(
            "organizer", "o@example.org", "correct horse battery", is_staff=True, is_superuser=True
        )
        copies = LetterCopy.objects.using(db).filter(campaign__slug=SLUG).select_related("target")
        sheriff = next(c for c in copies if c.target.role == "sheriff")
        mayor = next(c for c in copies if c.target.role == "mayor")

        page.goto(server.url + "/admin/login/?next=/en/")
        page.fill("#id_username", "organizer")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_url("**/en/**")

        page.goto(f"{server.url}/en/delivery/letter/{sheriff.pk}/")
        body = page.locator("body")
        expect(body).to_contain_text("Dear Sheriff Waybourn,")
        expect(body).to_contain_text("Texas law (SB 4) forbids local officials these protections")
        expect(body).to_contain_text("A harm to end")
        expect(body).to_contain_text("Why each ask is where it is")
        expect(body).to_contain_text("Please reply to Ana Ruiz (Texas Immigrant Coalition)")
        _shoot(page, tmp_path / "letter-sheriff-en.png")

        page.goto(f"{server.url}/es/delivery/letter/{mayor.pk}/")
        expect(body).to_contain_text("Estimado/a Alcalde/sa Whitmire:")
        expect(body).to_contain_text("La ley de Texas (SB 4) prohíbe")
        expect(body).to_contain_text("Por qué cada petición está donde está")
        expect(body).to_contain_text("Firmada por 3 organizaciones")
        _shoot(page, tmp_path / "letter-mayor-es.png")

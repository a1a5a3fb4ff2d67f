"""A resident on a phone, against the production server (gunicorn + db_worker)."""

import pytest
from django.core.management import call_command
from django.db import connections

from firstline import testing

ZIP = "77002"


def _zip_traces(alias):
    """Occurrences of the ZIP in every row of every table of the server's database."""
    connection = connections[alias]
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            n = sum(ZIP in "\x1f".join(map(str, row)) for row in cursor.fetchall())
            if n:
                found[table] = n
    return found


@pytest.mark.e2e
def test_resident_looks_up_writes_in_spanish_and_leaves_no_trace(
    django_db_setup, django_db_blocker, phone_page, monkeypatch
):
    # The database fixtures come first, and the async guard is lifted: Playwright's
    # sync API keeps an (idle) event loop in this thread, and Django refuses
    # database access while one exists. Nothing async touches the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    page = phone_page
    # gunicorn serves static files through WhiteNoise from STATIC_ROOT only
    # (finders are a DEBUG feature), so collect them first: the phone layout
    # is part of what this test checks.
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock(), testing.app_server("residents-e2e") as server:
        before = _zip_traces(server.alias)
        page.goto(server.url + "/en/find/")
        page.get_by_label("Your ZIP code").fill(ZIP)
        page.get_by_label("Your ZIP code").press("Enter")  # keyboard only
        page.wait_for_selector("#result-h")
        main = page.locator("main")
        for text in ("Texas", "Harris County", "Houston", "Your state legislators", "287(g)"):
            assert main.get_by_text(text, exact=False).first.is_visible(), text
        # Natural names; the Census's "Houston city" stays in the data.
        assert main.locator(".where").inner_text() == "Texas · Harris County · Houston"
        # Every candidate district of both chambers, each with its legislator.
        assert main.locator(".district").count() >= 4
        assert main.locator(".district .office").count() >= 4
        assert main.get_by_text("Missing protections").first.is_visible()
        # Styled (the stylesheet loaded) and fits a phone screen without sideways scrolling.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('main button')).minHeight")
            == "44px"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        # The URL never carries the ZIP.
        assert ZIP not in page.url

        page.get_by_role("button", name="Ver esto en español").click()
        page.wait_for_selector("#result-h")
        assert page.url.startswith(server.url + "/es/")
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.get_by_text("Protecciones que faltan").first.is_visible()
        assert page.get_by_text("Sus legisladores estatales").first.is_visible()

        # Several districts per chamber: each chamber's list is one tap away.
        page.locator("details.chamber > summary").first.click()
        page.locator(".district .office a.button").first.click()
        page.wait_for_selector("#write-h")
        assert page.get_by_label("Modo mínimo: enviar sin mi nombre ni mi correo").is_checked()
        page.get_by_label("Sus propias palabras (opcional)").fill(
            "Por favor, protejan a nuestras familias."
        )
        page.get_by_label("Su nombre (opcional)").fill("Nombre Secreto")
        page.get_by_role("button", name="Vista previa").click()
        preview = page.locator("pre.message")
        assert "Un residente (nombre reservado)" in preview.inner_text()
        assert "Nombre Secreto" not in preview.inner_text()
        assert page.get_by_text("pueden convertirse en registros públicos").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.get_by_role("button", name="Enviar este mensaje").click()
        page.wait_for_url("**/es/find/sent/**")
        assert page.get_by_text("Gracias. Su mensaje va en camino.").is_visible()

        if True:  # the database is unblocked for the whole test
            from firstline.mail.models import Email
            from firstline.residents.models import ResidentMessageCount

            emails = list(Email.objects.using(server.alias).filter(kind="resident_message"))
            assert len(emails) == 1
            email = emails[0]
            assert email.mode == "outbox" and email.status == "sent"
            assert email.language == "es"
            assert "Por favor, protejan a nuestras familias." in email.text
            assert "Nombre Secreto" not in email.text + email.html + email.subject
            counts = ResidentMessageCount.objects.using(server.alias).all()
            assert [c.count for c in counts] == [1]
            # No trace of the ZIP beyond the public reference data that was there before.
            after = _zip_traces(server.alias)
            assert after == before, (before, after)
            assert "mail_email" not in after and "django_session" not in after

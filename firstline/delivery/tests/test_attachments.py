"""Response attachments: only documents and images, bounded, opened by staff only."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from firstline.delivery.models import Response, Target
from firstline.lib.uploads import upload_kind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        (b"Estimado: gracias por su carta.", "text"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows program
        (b"<!DOCTYPE html><script>alert(1)</script>", None),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', None),
        (b"\x7fELF\x02\x01\x01\x00", None),
    ],
)
def test_upload_kind_reads_the_bytes(content, kind):
    assert upload_kind(io.BytesIO(content)) == kind


@pytest.fixture
def organizer(django_user_model):
    user = django_user_model.objects.create_user("org", "o@example.org", "x", is_staff=True)
    user.groups.set([Group.objects.get(name="organizer")])
    client = Client()
    client.force_login(user)
    return client


def _post(client, target, name, content):
    return client.post(
        f"/en/delivery/target/{target.pk}/response/",
        {
            "kind": "replied",
            "notes": "Phoned back.",
            "attachment": SimpleUploadedFile(name, content),
        },
    )


def test_other_files_are_refused_and_nothing_is_logged(rendered, organizer, settings):
    target = Target.objects.filter(campaign=rendered).first()
    page = _post(organizer, target, "letter.pdf.exe", b"MZ\x90\x00")
    assert page.status_code == 200 and "Attach a PDF" in page.content.decode()
    settings.RESPONSE_ATTACHMENT_MAX_MB = 1
    big = _post(organizer, target, "scan.pdf", PDF + b"0" * (1024 * 1024))
    assert "larger than 1 MB" in big.content.decode()
    assert not Response.objects.exists()


def test_staff_download_it_as_a_file_others_cannot(rendered, organizer, client, django_user_model):
    target = Target.objects.filter(campaign=rendered).first()
    assert _post(organizer, target, "reply.html", PDF).status_code == 302
    response = Response.objects.get()
    url = f"/en/delivery/response/{response.pk}/attachment/"
    got = organizer.get(url)
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"].startswith("attachment;")
    assert f"response-{response.pk}.pdf" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == PDF
    assert client.get(url).status_code == 302  # anonymous: to the login page
    moderator = django_user_model.objects.create_user("mod", "m@example.org", "x", is_staff=True)
    moderator.groups.set([Group.objects.get(name="moderator")])
    client.force_login(moderator)
    assert client.get(url).status_code == 403

"""The Data page in both languages, and downloads: streamed, 304 on a repeat, 404 when unknown."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from firstline.officials.models import ContactPoint, Office
from firstline.opendata.datasets import DATASETS, FILES
from firstline.opendata.services import download_generate

pytestmark = pytest.mark.django_db


def url(name: str) -> str:
    with translation.override("en"):
        return reverse("opendata:file", kwargs={"name": name})


@pytest.mark.parametrize("name", sorted(FILES))
def test_download_streams_the_file_and_a_repeat_gets_304(generated: Path, name: str) -> None:
    client = Client()
    response = client.get(url(name))
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert body == (generated / name).read_bytes()
    assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert "attachment" in response["Content-Disposition"]
    assert response["Last-Modified"]
    again = client.get(url(name), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    by_date = client.get(url(name), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert by_date.status_code == 304
    stale = client.get(url(name), HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200


def test_gzip_keeps_a_weak_etag_that_still_validates(generated: Path) -> None:
    client = Client()
    response = client.get(url("officials.csv"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"].startswith('W/"')
    again = client.get(
        url("officials.csv"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_provenance_sidecar_is_served_as_json(generated: Path) -> None:
    response = Client().get(url("officials.csv.meta.json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    meta = json.loads(b"".join(response.streaming_content))  # type: ignore[arg-type]
    assert meta["file"] == "officials.csv" and meta["rows"] > 40000


def test_unknown_or_ungenerated_files_are_404(own_dir: Path) -> None:
    client = Client()
    assert client.get(url("passwords.csv")).status_code == 404
    assert client.get(url("officials.csv")).status_code == 404  # not generated in this dir
    assert client.get(url("..officials.csv")).status_code == 404


def test_new_data_changes_the_etag(own_dir: Path) -> None:
    client = Client()
    download_generate(slug="officials")
    first = client.get(url("contact_points.csv"))["ETag"]
    download_generate(slug="officials")  # same data, same bytes: the ETag stays
    assert client.get(url("contact_points.csv"))["ETag"] == first
    office = Office.objects.filter(role="sheriff").first()
    assert office is not None
    ContactPoint.objects.create(
        office=office, kind="phone", value="555-0100", source="https://example.org/sheriff"
    )
    download_generate(slug="officials")
    response = client.get(url("contact_points.csv"), HTTP_IF_NONE_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first
    assert b"555-0100" in b"".join(response.streaming_content)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "es"])
def test_data_page_lists_every_file_with_its_columns(generated: Path, language: str) -> None:
    with translation.override(language):
        page_url = reverse("opendata:data")
    assert page_url == f"/{language}/data/"
    response = Client().get(page_url)
    assert response.status_code == 200
    html = response.content.decode()
    for dataset in DATASETS.values():
        for file in dataset.files:
            assert url(file.name).removeprefix("/en") in html
            for column in file.columns:
                assert f'<code translate="no">{column.name}</code>' in html
    with translation.override(language):
        assert str(DATASETS["officials"].files[0].columns[1].description) in html
    assert ("Datos abiertos" in html) == (language == "es")
    if language == "es":
        assert (
            "Licencia" in html and 'Columnas de <span translate="no">officials.csv</span>' in html
        )
        assert "Two-letter postal code" not in html


def test_data_page_is_in_the_menu(generated: Path) -> None:
    html = Client().get("/es/policies/methodology/").content.decode()
    assert 'href="/es/data/"' in html

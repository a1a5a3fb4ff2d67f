"""The public Data page and the file downloads (streamed, with ETag and Last-Modified)."""

from __future__ import annotations

import os

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from firstline.opendata import selectors, storage
from firstline.opendata.datasets import DATASETS, FILES

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "meta": "application/json",
}


@require_safe
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/data.html", {"datasets": selectors.data_page(DATASETS)})


@require_safe
def download(request: HttpRequest, name: str) -> HttpResponseBase:
    """Serve a generated file; a repeat request with its ETag or date gets a 304.

    The validators come from the file this request opened (its fstat), so a
    regeneration swapping the file mid-request cannot pair one file's body with
    another's ETag. When the sidecar describes that same file (same mtime and
    size) the ETag is its SHA-256, which every web machine computes alike.
    """
    is_meta = name.endswith(".meta.json")
    base = name.removesuffix(".meta.json")
    if base not in FILES:
        raise Http404
    path = storage.opendata_dir() / (storage.meta_name(base) if is_meta else base)
    try:
        fh = open(path, "rb")  # noqa: SIM115 -- FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    stat = os.fstat(fh.fileno())
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    meta = None if is_meta else storage.download_meta(name=base)
    if meta and meta.get("mtime_ns") == stat.st_mtime_ns and meta.get("bytes") == stat.st_size:
        etag = f'"{meta["sha256"]}"'
    last_modified = int(stat.st_mtime)
    response: HttpResponseBase
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:  # 304 (a GET) or 412
        fh.close()
        response = not_modified
    else:
        _dataset, file = FILES[base]
        response = FileResponse(
            fh,
            as_attachment=not is_meta,
            filename=name,
            content_type=CONTENT_TYPES["meta" if is_meta else file.format],
        )
    # A 304 repeats the validators (RFC 9110 15.4.5), so caches can refresh them.
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response

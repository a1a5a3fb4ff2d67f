"""/api/v1: read-only JSON. One error shape, ``{"error": "..."}``, everywhere.

Requests are not logged by us (no access log; see docs/api.md), and lookups
are computed per request, never cached by ZIP: only public per-jurisdiction and
per-district parts are reused (see ``serializers.lookup_body``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from firstline.api import compression, openapi, serializers
from firstline.geo.models import Jurisdiction
from firstline.policies.selectors import scorecard_detail_json
from firstline.residents import selectors


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, CORS-open (public data), a language from ``?lang=``, no caching of lookups."""

    # Read-only and cookie-free: CSRF protection has nothing to protect here,
    # and its 403 page would answer other methods in HTML instead of our 405.
    @csrf_exempt
    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response: HttpResponse = error("Only GET is allowed.", 405)
            response["Allow"] = "GET"
            return response
        lang = request.GET.get("lang", "en")
        with translation.override(lang if lang in ("en", "es") else "en"):
            response = func(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


@api_view
def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@api_view
def lookup(request: HttpRequest) -> HttpResponse:
    data = request.GET
    try:
        result = selectors.resident_lookup(
            # An empty parameter is an absent one (the schema allows both).
            zip_text=data.get("zip") or None,
            place_query=data.get("q") or None,
            county=data.get("county") or None,
            place=data.get("place") or None,
            districts=[d for d in data.getlist("district") if d][:10],
        )
    except selectors.LookupError_ as exc:
        return error(exc.message, exc.status)
    body = serializers.lookup_body(result, translation.get_language() or "en")
    response = compression.json_response(request, body)
    response["Cache-Control"] = "no-store"
    return response


@api_view
def jurisdiction(request: HttpRequest, ocd_id: str) -> HttpResponse:
    block = selectors.jurisdiction_block(ocd_id=ocd_id)
    if block is None:
        return error(f"No jurisdiction with id {ocd_id[:200]!r}.", 404)
    fragment = serializers.block_fragment(block, translation.get_language() or "en")
    return compression.json_response(request, fragment)


@api_view
def scorecard(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """The full scorecard: provisions, instruments, legal events and research coverage."""
    jurisdiction = Jurisdiction.objects.filter(ocd_id=ocd_id).only("pk").first()
    if jurisdiction is None:
        return error(f"No jurisdiction with id {ocd_id[:200]!r}.", 404)
    on = None
    if request.GET.get("as_of"):
        try:
            on = dt.date.fromisoformat(request.GET["as_of"][:10])
        except ValueError:
            return error("as_of must be a date, YYYY-MM-DD.", 400)
    return JsonResponse(scorecard_detail_json(jurisdiction_id=jurisdiction.pk, on=on))


@api_view
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document(server=request.build_absolute_uri("/api/v1")))


@api_view
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return error("No such endpoint. See /api/v1/openapi.json.", 404)

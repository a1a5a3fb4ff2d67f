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

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from firstline.api import compression, listing, openapi, openapi_lists, serializers
from firstline.api import selectors as api_selectors
from firstline.campaigns.models import CampaignStatus
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import Role
from firstline.policies.models import (
    InstrumentKind,
    InstrumentStatus,
    Policy,
    PolicyCategory,
    PolicyKind,
    RecordStatus,
)
from firstline.policies.scorecard import GRADE_BANDS, EffectiveStatus
from firstline.policies.selectors import scorecard_detail_json
from firstline.residents import selectors


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _method_not_allowed() -> HttpResponse:
    response = error("Only GET is allowed.", 405)
    response["Allow"] = "GET"
    return response


def api_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, CORS-open (public data), a language from ``?lang=``, no caching of lookups.

    A malformed parameter (``listing.BadParameter``) is a 400 in the error shape.
    """

    # Read-only and cookie-free: CSRF protection has nothing to protect here,
    # and its 403 page would answer other methods in HTML instead of our 405.
    @csrf_exempt
    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _method_not_allowed()
        lang = request.GET.get("lang", "en")
        with translation.override(lang if lang in ("en", "es") else "en"):
            try:
                response = func(request, *args, **kwargs)
            except listing.BadParameter as exc:
                response = error(exc.message, 400)
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


# --- Lists and details ------------------------------------------------------------------


def _json(request: HttpRequest, body: Any) -> HttpResponse:
    return compression.json_response(request, serializers.encode(body).encode())


def _language() -> str:
    return translation.get_language() or "en"


def _page(
    request: HttpRequest, results: list[dict[str, Any]], rows: list[Any], more: bool
) -> HttpResponse:
    last = rows[-1].pk if rows else None
    return _json(request, listing.envelope(request, results, more=more, last=last))


def _policy_filter(request: HttpRequest) -> str | None:
    """A catalog slug; an unknown one is a 400, not an empty list."""
    slug = listing.slug(request.GET, "policy")
    if slug is not None and not Policy.objects.filter(slug=slug).exists():
        raise listing.BadParameter(f"No policy {slug!r} in the catalog; see /api/v1/policies.")
    return slug


def _not_found(what: str, key: object) -> JsonResponse:
    return error(f"No {what} with id {str(key)[:200]!r}.", 404)


@api_view
def jurisdictions(request: HttpRequest) -> HttpResponse:
    q = request.GET
    page = listing.page_params(q)
    policy = _policy_filter(request)
    status = listing.choice(q, "status", EffectiveStatus.values)
    if status and not policy:
        raise listing.BadParameter("status needs policy, e.g. policy=no_287g&status=in_force.")
    found = api_selectors.jurisdictions_page(
        page=page,
        state=listing.state(q),
        kind=listing.choice(q, "kind", JurisdictionKind.values),
        grade=listing.choice(q, "grade", [g for _floor, g in GRADE_BANDS]),
        policy=policy,
        status=status,
    )
    results = [
        serializers.jurisdiction_item(
            j, found.summaries.get(j.pk), found.lines.get(j.pk), found.instrument_slugs
        )
        for j in found.rows
    ]
    return _page(request, results, found.rows, found.more)


@api_view
def policies(request: HttpRequest) -> HttpResponse:
    q = request.GET
    core = listing.choice(q, "core", ["true", "false"])
    rows, more = api_selectors.policies_page(
        page=listing.page_params(q),
        kind=listing.choice(q, "kind", PolicyKind.values),
        category=listing.choice(q, "category", PolicyCategory.values),
        core=None if core is None else core == "true",
    )
    return _page(request, [serializers.policy_json(p, _language()) for p in rows], rows, more)


@api_view
def policy(request: HttpRequest, slug: str) -> HttpResponse:
    found = Policy.objects.filter(slug=slug).first()
    if found is None:
        return _not_found("policy", slug)
    return _json(request, serializers.policy_json(found, _language(), detail=True))


def _evidence_filters(request: HttpRequest, statuses: list[str]) -> dict[str, Any]:
    """The filters instruments and provisions share: where, which policy, which status."""
    q = request.GET
    return {
        "page": listing.page_params(q),
        "state": listing.state(q),
        "jurisdiction": listing.jurisdiction(q),
        "policy": _policy_filter(request),
        "status": listing.choice(q, "status", statuses),
    }


@api_view
def instruments(request: HttpRequest) -> HttpResponse:
    rows, more = api_selectors.instruments_page(
        **_evidence_filters(request, InstrumentStatus.values),
        kind=listing.choice(request.GET, "kind", InstrumentKind.values),
    )
    return _page(request, [serializers.instrument_json(i) for i in rows], rows, more)


@api_view
def instrument(request: HttpRequest, slug: str) -> HttpResponse:
    found = api_selectors.instrument_get(slug=slug)
    if found is None:
        return _not_found("instrument", slug)
    return _json(request, serializers.instrument_json(found, detail=True))


@api_view
def provisions(request: HttpRequest) -> HttpResponse:
    rows, more = api_selectors.provisions_page(**_evidence_filters(request, RecordStatus.values))
    return _page(request, [serializers.provision_json(r) for r in rows], rows, more)


@api_view
def provision(request: HttpRequest, pk: int) -> HttpResponse:
    found = api_selectors.provision_get(pk=pk) if pk <= openapi_lists.MAX_ID else None
    if found is None:
        return _not_found("provision", pk)
    return _json(request, serializers.provision_json(*found))


def _seat_filters(q: QueryDict) -> dict[str, Any]:
    """The filters offices and officials share: where, and which role."""
    return {
        "page": listing.page_params(q),
        "state": listing.state(q),
        "jurisdiction": listing.jurisdiction(q),
        "role": listing.choice(q, "role", Role.values),
    }


@api_view
def offices(request: HttpRequest) -> HttpResponse:
    rows, more = api_selectors.offices_page(**_seat_filters(request.GET))
    return _page(request, [serializers.office_item(o, _language()) for o in rows], rows, more)


@api_view
def office(request: HttpRequest, pk: int) -> HttpResponse:
    found = api_selectors.office_get(pk=pk) if pk <= openapi_lists.MAX_ID else None
    if found is None:
        return _not_found("office", pk)
    return _json(request, serializers.office_item(found, _language()))


@api_view
def officials(request: HttpRequest) -> HttpResponse:
    rows, more = api_selectors.officials_page(**_seat_filters(request.GET))
    return _page(request, [serializers.official_json(p, _language()) for p in rows], rows, more)


@api_view
def official(request: HttpRequest, person_id: str) -> HttpResponse:
    found = api_selectors.official_get(person_id=person_id)
    if found is None:
        return _not_found("official", person_id)
    return _json(request, serializers.official_json(found, _language()))


@api_view
def campaigns(request: HttpRequest) -> HttpResponse:
    q = request.GET
    public = [s for s in CampaignStatus.values if s != CampaignStatus.DRAFT]
    rows, more = api_selectors.campaigns_page(
        page=listing.page_params(q), status=listing.choice(q, "status", public)
    )
    return _page(request, [serializers.campaign_json(c, _language()) for c in rows], rows, more)


@api_view
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    found = api_selectors.campaign_get(slug=slug)
    if found is None:
        return _not_found("campaign", slug)
    return _json(request, serializers.campaign_json(found[0], _language(), found[1]))


@csrf_exempt
def docs(request: HttpRequest) -> HttpResponse:
    """The API reference, rendered here from the OpenAPI document: no script, no CDN."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed()
    document = openapi.document(server=request.build_absolute_uri("/api/v1"))
    return render(request, "api/docs.html", openapi.reference(document))

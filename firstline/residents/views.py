"""Resident pages. They parse input, call the selectors/services, and render.

Privacy: the ZIP form posts (no ZIP in URLs, histories or request lines), every
response that shows a lookup is ``no-store``, and nothing here logs, caches or
saves the request. The home page's search may still arrive with ``?zip=`` (a
GET redirect); we answer it the same way.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from firstline.lib.clients import client_fingerprint
from firstline.lib.pow import pow_challenge_create
from firstline.residents import abuse, selectors, services
from firstline.residents.forms import MessageForm


def _no_store(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True, max_age=0)
    return response


def _campaign(slug: str | None) -> Any:
    if not slug:
        return None
    from firstline.campaigns.models import Campaign, CampaignStatus

    return (
        Campaign.objects.filter(slug=slug[:80])
        .exclude(status=CampaignStatus.DRAFT)
        .prefetch_related("asks")
        .first()
    )


def lookup_params(data: Any) -> dict[str, Any]:
    return {
        "zip_text": data.get("zip") if "zip" in data else None,
        "place_query": data.get("q"),
        "county": data.get("county") or None,
        "place": data.get("place") or None,
        "districts": [d for d in data.getlist("district") if d][:10],
    }


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    campaign = _campaign(data.get("campaign"))
    context: dict[str, Any] = {
        "campaign": campaign,
        "zip_value": (data.get("zip") or "")[:10],
        "q_value": (data.get("q") or "")[:100],
    }
    status = 200
    if data.get("zip") or data.get("q") or "zip" in data:
        try:
            context["result"] = selectors.resident_lookup(**lookup_params(data))
        except selectors.LookupError_ as exc:
            context["error"] = exc.message
            status = exc.status if exc.status != 404 else 200
    return _no_store(render(request, "residents/lookup.html", context, status=status))


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, office_id: int) -> HttpResponse:
    view = selectors.office_for_contact(office_id=office_id)
    if view is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    campaign = _campaign(data.get("campaign"))
    language = get_language() or "en"
    gaps = services.office_gaps(view=view, campaign=campaign)
    ask = services.call_ask_pick(gaps=gaps, picked=data.get("ask", "")[:80], campaign=campaign)
    status = 200
    context: dict[str, Any] = {
        "view": view,
        "campaign": campaign,
        "gaps": gaps,
        "ask": ask,
        "call_script": services.render_call_script(view=view, ask=ask, language=language),
    }
    if request.method == "POST" and view.can_email:
        form = MessageForm(request.POST)
        if form.is_valid():
            sender = services.Sender.build(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                minimal=form.cleaned_data["minimal"],
            )
            kwargs = {
                "view": view,
                "campaign": campaign,
                "language": form.cleaned_data["language"],
                "note": form.cleaned_data["note"],
                "sender": sender,
            }
            if request.POST.get("action") == "send":
                refusal = abuse.message_screen(
                    client=client_fingerprint(request),
                    office_id=view.office.pk,
                    pow_payload=request.POST.get("pow", ""),
                )
                if refusal == abuse.Refusal.NONE:
                    services.resident_message_send(**kwargs)
                    url = reverse("residents:sent") + f"?office={view.office.pk}"
                    return redirect(url)
                context["refusal"] = refusal
                status = 429
            context["preview"] = services.message_compose(**kwargs)
            context["pow_challenge"] = pow_challenge_create().as_dict()
    else:
        form = MessageForm(initial={"language": language[:2], "minimal": True})
    context["form"] = form
    return _no_store(render(request, "residents/write.html", context, status=status))


def sent(request: HttpRequest) -> HttpResponse:
    office = None
    office_id = request.GET.get("office", "")
    if office_id.isdigit():
        found = selectors.office_for_contact(office_id=int(office_id))
        office = found.office if found else None
    return _no_store(render(request, "residents/sent.html", {"office": office}))


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "residents/privacy.html",
        {"outbox_days": services.OUTBOX_KEEP_DAYS},
    )

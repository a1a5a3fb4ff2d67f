"""Public campaign pages, the sign-on form, email confirmation; staff preview and exports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firstline.campaigns import abuse, exports, services, share_image
from firstline.campaigns.forms import LetterPreviewForm, SignOnForm
from firstline.campaigns.letters import letter_render, sample_values
from firstline.campaigns.models import Campaign, CampaignStatus, SignatureStatus
from firstline.campaigns.selectors import (
    campaign_for_signing,
    campaign_public_get,
    campaign_signatory_groups,
    campaigns_public,
    jurisdiction_label,
    jurisdiction_search,
)
from firstline.core.permissions import staff_permission_required
from firstline.lib.crypto import lookup_hash
from firstline.lib.pow import pow_challenge_create


def _language() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(campaigns_public())
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def _detail_context(
    request: HttpRequest, campaign: Campaign, form: SignOnForm | None
) -> dict[str, Any]:
    language = _language()
    count = getattr(campaign, "approved_count", None)
    if count is None:
        count = campaign.signatures.filter(status=SignatureStatus.APPROVED).count()
    letter = letter_render(
        template=campaign.letter_for(language),
        values=sample_values(campaign=campaign, language=language, signatory_count=count),
    )
    accepting = services.campaign_accepts_signatures(campaign=campaign)
    if accepting and form is None:
        form = SignOnForm(initial={"form_ts": abuse.form_timestamp()})
    if form is not None and form.is_bound:
        # A fresh timestamp and challenge on every render, including re-renders
        # with errors, so a corrected form is not rejected as stale or replayed.
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        data["form_ts"] = abuse.form_timestamp()
        data["pow"] = ""
        form.data = data
    return {
        "campaign": campaign,
        "letter_html": letter.html,
        "signatory_count": count,
        "groups": campaign_signatory_groups(campaign=campaign),
        "accepting": accepting,
        "form": form,
        "pow_challenge": pow_challenge_create().as_dict() if accepting else None,
        "language": language,
        "site_url": settings.SITE_URL,
        "share_image_path": reverse("campaigns:share_image", kwargs={"slug": campaign.slug}),
    }


@never_cache
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return render(request, "campaigns/detail.html", _detail_context(request, campaign, None))


@require_GET
def campaign_share_image(request: HttpRequest, slug: str) -> HttpResponse:
    """The Open Graph / Twitter card image, drawn on the server (share_image.py)."""
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    count = getattr(campaign, "approved_count", None)
    if count is None:
        count = campaign.signatures.filter(status=SignatureStatus.APPROVED).count()
    png = share_image.campaign_share_image(
        campaign=campaign, signatory_count=count, language=_language()
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _reject(
    request: HttpRequest, campaign: Campaign, form: SignOnForm, message: str, status: int = 400
) -> HttpResponse:
    form.add_error(None, message)
    # The sign-on view read only a few columns; the page needs the letter and the count.
    campaign = campaign_public_get(slug=campaign.slug) or campaign
    return render(
        request, "campaigns/detail.html", _detail_context(request, campaign, form), status=status
    )


_SCREEN_MESSAGES = {
    abuse.Verdict.CLIENT_LIMIT: (
        _lazy("Too many submissions from your network. Please try again later."),
        429,
    ),
    abuse.Verdict.POW_FAILED: (
        _lazy("The anti-spam check failed. Please send the form again."),
        400,
    ),
    abuse.Verdict.NO_POW_LIMIT: (
        _lazy(
            "Without JavaScript we can accept only a few sign-ons at a time. Please try again later, or enable JavaScript."
        ),
        429,
    ),
    abuse.Verdict.EMAIL_LIMIT: (
        _lazy("Too many requests for this email address. Please try again later."),
        429,
    ),
}


def _thanks(campaign: Campaign) -> HttpResponse:
    return redirect("campaigns:thanks", slug=campaign.slug)


def _not_collecting(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    messages.error(request, _("This campaign is not collecting signatures."))
    return redirect(campaign.get_absolute_url())


@require_POST
@never_cache
def campaign_sign(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_signing(slug=slug)
    if campaign is None:
        raise Http404
    if not services.campaign_accepts_signatures(campaign=campaign):
        return _not_collecting(request, campaign)
    if request.POST.get("homepage"):
        # A bot filled the invisible field: answer as if it worked, store nothing.
        return _thanks(campaign)
    form = SignOnForm(request.POST)
    fill = abuse.form_fill_check(request.POST.get("form_ts", ""))
    if fill != "ok":
        problem = (
            _("That was very fast. Please check the form and send it again.")
            if fill == "too_fast"
            else _("This form has expired. Please send it again.")
        )
        return _reject(request, campaign, form, problem)
    client = abuse.client_fingerprint(request)
    if not form.is_valid():
        # Invalid posts count against the client too: re-rendering the page
        # with errors is the expensive answer.
        if abuse.rate_limit_hit(abuse.PER_CLIENT, client):
            message, status = _SCREEN_MESSAGES[abuse.Verdict.CLIENT_LIMIT]
            return _reject(request, campaign, form, str(message), status)
        return render(
            request, "campaigns/detail.html", _detail_context(request, campaign, form), status=400
        )
    data = form.cleaned_data
    screen = abuse.signon_screen_plan(
        client=client, email_hash=lookup_hash(data["contact_email"]), pow_payload=data["pow"]
    )
    try:
        services.signature_submit(
            campaign=campaign,
            org_name=data["org_name"],
            org_website=data["org_website"],
            org_type=data["org_type"],
            home_jurisdiction=data["home_jurisdiction"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_role=data["contact_role"],
            language=_language(),
            screen=screen,
        )
    except services.SignOnRefused as refused:
        message, status = _SCREEN_MESSAGES[refused.verdict]
        return _reject(request, campaign, form, str(message), status)
    except services.CampaignNotCollecting:
        return _not_collecting(request, campaign)
    # The same answer whether the signature is new, updated or rejected, so
    # the form cannot be used to learn who has signed.
    return _thanks(campaign)


def campaign_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.exclude(status=CampaignStatus.DRAFT), slug=slug)
    return render(request, "campaigns/thanks.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
@never_cache
def signature_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button; POST confirms. Link scanners in mail
    systems fetch links with GET, and must not confirm on the user's behalf."""
    if request.method == "GET":
        outcome, signature = services.signature_check_token(token=token)
        status = 200 if signature else 400
        # A used link says so instead of offering "Confirm" again.
        if signature is not None and signature.status != SignatureStatus.PENDING:
            outcome = "already"
        return render(
            request,
            "campaigns/verify.html",
            {"outcome": outcome, "signature": signature, "confirm": outcome == "ok"},
            status=status,
        )
    outcome, signature = services.signature_verify(token=token)
    status = 200 if signature else 400
    return render(
        request,
        "campaigns/verify.html",
        {"outcome": outcome, "signature": signature},
        status=status,
    )


@require_GET
def jurisdiction_options(request: HttpRequest) -> HttpResponse:
    """Search for the home-jurisdiction field: JSON for pow.js's autocomplete."""
    results = jurisdiction_search(query=request.GET.get("q", "")[:100])
    response = JsonResponse(
        {"results": [{"id": j.pk, "label": jurisdiction_label(j)} for j in results]}
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@never_cache
def pow_challenge(request: HttpRequest) -> HttpResponse:
    return JsonResponse(pow_challenge_create().as_dict())


# --- Staff -------------------------------------------------------------------------


@staff_permission_required("manage_campaigns")
@require_POST
def letter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Render unsaved letter text from the admin form (live preview)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    form = LetterPreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "invalid"}, status=400)
    language = form.cleaned_data["language"] or "en"
    letter = letter_render(
        template=form.cleaned_data["letter"],
        values=sample_values(campaign=campaign, language=language),
    )
    return JsonResponse({"html": letter.html, "unknown": list(letter.unknown_placeholders)})


@staff_permission_required("view_signer_contacts")
@never_cache
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    response = HttpResponse(
        exports.signatories_csv(campaign=campaign), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-signatories.csv"'
    return response


@staff_permission_required("view_signer_contacts")
@never_cache
def export_osdi(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    return JsonResponse(
        exports.signatories_osdi(campaign=campaign), json_dumps_params={"indent": 1}
    )

"""The campaign workspace: staff pages that run a campaign without the Django admin.

Views parse forms and call the campaigns and delivery services (STYLE.md); every
POST redirects back to the page that started it, where the result shows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firstline.campaigns import services as campaign_services
from firstline.campaigns.letters import letter_render, sample_values
from firstline.campaigns.models import Campaign, Signature, SignatureStatus
from firstline.core.permissions import public, staff_permission_required
from firstline.delivery import base, printing, selectors, targeting
from firstline.delivery import views as delivery_views
from firstline.delivery.forms import TargetRuleForm
from firstline.delivery.models import LetterCopy, PrintPacket, Target

from .forms import CampaignForm, PacketForm
from .services import campaign_save

sign_in = public(
    LoginView.as_view(template_name="workspace/sign_in.html", redirect_authenticated_user=True)
)


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


@staff_permission_required("manage_campaigns")
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.annotate(
        n_approved=Count("signatures", filter=Q(signatures__status=SignatureStatus.APPROVED)),
        n_waiting=Count("signatures", filter=Q(signatures__status=SignatureStatus.VERIFIED)),
    )
    return render(request, "workspace/list.html", {"campaigns": campaigns})


def _previews(form: CampaignForm) -> list[tuple[str, Any]]:
    """The letter as a reader sees it, with sample values, from what the form holds now."""
    campaign = form.instance
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    asks = data.get("asks") or (campaign.asks.all() if campaign.pk else [])
    out = []
    for language, field in (("en", "letter_en"), ("es", "letter_es")):
        text = data.get(field, getattr(campaign, field))
        if not text:
            continue
        values = sample_values(campaign=campaign, language=language)
        if asks:
            values["gaps"] = [
                p.name_es if language == "es" and p.name_es else p.name_en for p in asks
            ]
        out.append((language, letter_render(template=text, values=values)))
    return out


def _edit(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        campaign = campaign_save(
            campaign=form.save(commit=False), asks=form.cleaned_data["asks"], by=request.user
        )
        messages.success(request, _("Campaign saved."))
        return redirect("workspace:campaign", slug=campaign.slug)
    previews = _previews(form) if (form.is_bound and form.is_valid()) or campaign.pk else []
    return render(
        request,
        "workspace/edit.html",
        {"form": form, "campaign": campaign if campaign.pk else None, "previews": previews},
    )


@staff_permission_required("manage_campaigns")
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Campaign())


@staff_permission_required("manage_campaigns")
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _edit(request, _campaign(slug))


@staff_permission_required("manage_campaigns")
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    state = targeting.campaign_delivery_get(campaign=campaign)
    counts = dict(
        Signature.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    context = {
        "campaign": campaign,
        "state": state,
        "counts": counts,
        "rules": campaign.target_rules.count(),
        "targets": Target.objects.filter(campaign=campaign).count(),
        "letters": LetterCopy.objects.filter(campaign=campaign).count(),
        "summary": selectors.campaign_delivery_summary(campaign=campaign),
    }
    return render(request, "workspace/campaign.html", context)


STATUS_ACTIONS = {
    "open": campaign_services.campaign_open,
    "unpublish": campaign_services.campaign_unpublish,
    "deliver": campaign_services.campaign_start_delivery,
    "close": campaign_services.campaign_close,
}


@staff_permission_required("manage_campaigns")
@require_POST
def campaign_status(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    campaign = _campaign(slug)
    service = STATUS_ACTIONS.get(name)
    if service is None:
        messages.error(request, _("Unknown action."))
    else:
        try:
            service(campaign=campaign, actor=request.user)
            messages.success(
                request, _("Status: %(status)s.") % {"status": campaign.get_status_display()}
            )
        except campaign_services.TransitionNotAllowed as exc:
            messages.error(request, str(exc))
    return redirect("workspace:campaign", slug=slug)


@staff_permission_required("moderate_signatures")
def signatures(request: HttpRequest, slug: str) -> HttpResponse:
    """Sign-ons waiting for a decision first; contact details stay out of this page."""
    campaign = _campaign(slug)
    if request.method == "POST":
        chosen = Signature.objects.filter(campaign=campaign, pk__in=request.POST.getlist("ids"))
        if request.POST.get("decision") == "approve":
            n = campaign_services.signature_approve(signatures=chosen, actor=request.user)
            messages.success(request, _("%(n)s approved.") % {"n": n})
        elif request.POST.get("decision") == "reject":
            n = campaign_services.signature_reject(signatures=chosen, actor=request.user)
            messages.success(request, _("%(n)s rejected.") % {"n": n})
        elif request.POST.get("decision") == "merge":
            n = campaign_services.signatures_merge_near_duplicates(
                signatures=chosen, actor=request.user
            )
            messages.success(
                request, _("%(n)s moved to the organization they duplicate.") % {"n": n}
            )
        elif request.POST.get("decision") == "not_duplicate":
            n = campaign_services.signature_dismiss_duplicate(signatures=chosen, actor=request.user)
            messages.success(request, _("%(n)s flags cleared.") % {"n": n})
        return redirect("workspace:signatures", slug=slug)
    order: dict[str, int] = {SignatureStatus.VERIFIED: 0, SignatureStatus.PENDING: 1}
    rows = sorted(
        Signature.objects.filter(campaign=campaign).select_related(
            "organization__home_jurisdiction", "near_duplicate_of"
        ),
        key=lambda s: (order.get(s.status, 2), s.organization.name),
    )
    return render(request, "workspace/signatures.html", {"campaign": campaign, "rows": rows})


@staff_permission_required("manage_delivery")
def targets(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    state = targeting.campaign_delivery_get(campaign=campaign)
    form = TargetRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            targeting.target_rule_add(campaign=campaign, by=request.user, **form.cleaned_data)
            messages.success(request, _("Rule added."))
            return redirect("workspace:targets", slug=slug)
        except base.DeliveryError as exc:
            messages.error(request, str(exc))
    frozen = state.targets_frozen_at is not None
    context = {
        "campaign": campaign,
        "state": state,
        "form": form,
        "rules": campaign.target_rules.select_related("policy").prefetch_related("jurisdictions"),
        "preview": None if frozen else selectors.target_preview(campaign=campaign),
        "frozen_counts": selectors.frozen_target_counts(campaign=campaign) if frozen else None,
    }
    return render(request, "workspace/targets.html", context)


@staff_permission_required("manage_delivery")
@require_POST
def targets_freeze(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    if not request.POST.get("undo"):
        delivery_views.campaign_action(request, campaign=campaign, name="freeze")
        return redirect("workspace:targets", slug=slug)
    try:
        targeting.targets_unfreeze(campaign=campaign, by=request.user)
        messages.success(request, _("Targets unfrozen: the rules can change again."))
    except base.DeliveryError as exc:
        messages.error(request, str(exc))
    return redirect("workspace:targets", slug=slug)


def _letters_context(campaign: Campaign) -> dict[str, Any]:
    copies = LetterCopy.objects.filter(campaign=campaign)
    return {
        "campaign": campaign,
        "targets": Target.objects.filter(campaign=campaign).count(),
        "letters": copies.count(),
        "stale": copies.filter(stale=True).count(),
        "progress": selectors.delivery_progress(campaign=campaign),
    }


@staff_permission_required("manage_delivery")
def letters(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    query = request.GET.get("q", "").strip()
    copies = LetterCopy.objects.filter(campaign=campaign).select_related("target")
    if query:
        copies = copies.filter(Q(target__title__icontains=query) | Q(target__usps=query.upper()))
    context = _letters_context(campaign) | {
        "state": targeting.campaign_delivery_get(campaign=campaign),
        "copies": copies.order_by("target__usps", "target__title")[:50],
        "query": query,
        "failed": selectors.deliveries_failed(campaign=campaign)[:20],
    }
    context["rendering"] = bool(request.GET.get("rendering")) and (
        context["letters"] < context["targets"] or context["stale"]
    )
    return render(request, "workspace/letters.html", context)


@staff_permission_required("manage_delivery")
def letters_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The rendering and sending counts alone: the fragment the letters page reloads."""
    return render(request, "workspace/_status.html", _letters_context(_campaign(slug)))


@staff_permission_required("manage_delivery")
@require_POST
def letters_action(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """render | start (deliver) | switch_on (admins only) | switch_off: the delivery
    dashboard's own actions and rules."""
    if name not in ("render", "start", "switch_on", "switch_off"):
        raise Http404
    delivery_views.campaign_action(request, campaign=_campaign(slug), name=name)
    url = reverse("workspace:letters", kwargs={"slug": slug})
    # After "render", the page reloads itself until every target has its copy.
    return redirect(url + "?rendering=1" if name == "render" else url)


@staff_permission_required("manage_delivery")
def packets(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    shown = delivery_views.packet_shown(request, campaign)
    # The form keeps what started the packet shown next to it.
    initial = {"scope": shown.scope, "place": shown.jurisdiction or ""} if shown else {}
    form = PacketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            packet = printing.print_packet_request(
                campaign=campaign,
                by=request.user,
                scope=form.cleaned_data["scope"],
                jurisdiction=form.cleaned_data["place"],
            )
            url = reverse("workspace:packets", kwargs={"slug": slug})
            return redirect(f"{url}?packet={packet.pk}")
        except base.DeliveryError as exc:
            messages.error(request, str(exc))
    context = {
        "campaign": campaign,
        "form": form,
        "packets": PrintPacket.objects.filter(campaign=campaign)
        .select_related("jurisdiction")
        .order_by("-pk")[:50],
        "to_print": selectors.print_letters(campaign=campaign, jurisdiction=None).count(),
        "packet": shown,
    }
    return render(request, "workspace/packets.html", context)

"""Staff pages to target, render, send and track a campaign's letter; one public accountability page.

Views parse input and call services/selectors (STYLE.md); every POST redirects.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_public_get
from firstline.core.permissions import require_capability, staff_permission_required
from firstline.lib.uploads import KINDS, upload_kind

from . import base, letters, printing, rendering, responses, selectors, sending, targeting
from .forms import MarkForm, PacketForm, ResponseForm, TargetRuleForm
from .models import Delivery, LetterCopy, PacketStatus, PrintPacket, Response, Target


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


@staff_permission_required("manage_delivery")
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    state = targeting.campaign_delivery_get(campaign=campaign)
    frozen = state.targets_frozen_at is not None
    context = {
        "campaign": campaign,
        "state": state,
        "rules": campaign.target_rules.select_related("policy").prefetch_related("jurisdictions"),
        "rule_form": TargetRuleForm(),
        "packet_form": PacketForm(),
        "packet": packet_shown(request, campaign),
        "preview": None if frozen else selectors.target_preview(campaign=campaign),
        "frozen_counts": selectors.frozen_target_counts(campaign=campaign) if frozen else None,
        "letters": LetterCopy.objects.filter(campaign=campaign).count(),
        "stale": LetterCopy.objects.filter(campaign=campaign, stale=True).count(),
        "progress": selectors.delivery_progress(campaign=campaign),
        "failed": selectors.deliveries_failed(campaign=campaign)[:50],
        "sample": LetterCopy.objects.filter(campaign=campaign).select_related("target")[:20],
        "packets": PrintPacket.objects.filter(campaign=campaign).select_related("jurisdiction")[
            :20
        ],
        "to_hand_over": selectors.print_deliveries_open(campaign=campaign)[:50],
        "organizations": selectors.campaign_organizations(campaign=campaign),
    }
    return render(request, "delivery/dashboard.html", context)


@staff_permission_required("manage_delivery")
@require_POST
def rule_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = TargetRuleForm(request.POST)
    if form.is_valid():
        try:
            targeting.target_rule_add(campaign=campaign, by=request.user, **form.cleaned_data)
        except base.DeliveryError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("delivery:dashboard", slug=slug)


@staff_permission_required("manage_delivery")
@require_POST
def action(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """freeze | render | switch_on | switch_off | start | fill_targets | flag_stale"""
    campaign_action(request, campaign=_campaign(slug), name=name)
    return redirect("delivery:dashboard", slug=slug)


def campaign_action(request: HttpRequest, *, campaign: Campaign, name: str) -> None:
    """Run one dashboard action and report its result as a message; also used by
    the campaign workspace, so both pages follow the same rules."""
    try:
        with transaction.atomic():
            if name == "freeze":
                n = targeting.targets_freeze(campaign=campaign, by=request.user)
                messages.success(request, _("%(n)s targets frozen.") % {"n": n})
                bare = selectors.frozen_target_counts(campaign=campaign)["nothing"]
                if bare:
                    messages.warning(
                        request,
                        _(
                            "%(n)s targets have no email and no postal address: see coverage "
                            "to invite partners to fill them in."
                        )
                        % {"n": bare},
                    )
            elif name == "render":
                n = rendering.letters_render_enqueue(campaign=campaign)
                messages.success(request, _("%(n)s render batches queued.") % {"n": n})
            elif name in ("switch_on", "switch_off"):
                # Turning real delivery on is an admin's decision; any
                # organizer may turn it off.
                if name == "switch_on":
                    require_capability(request, "switch_on_delivery")
                targeting.delivery_switch_set(
                    campaign=campaign, enabled=name == "switch_on", by=request.user
                )
            elif name == "start":
                n = sending.delivery_start(campaign=campaign, by=request.user)
                messages.success(request, _("%(n)s deliveries queued.") % {"n": n})
            elif name == "fill_targets":
                n = targeting.targets_contacts_fill(campaign=campaign, by=request.user)
                messages.success(
                    request, _("%(n)s targets filled in from current records.") % {"n": n}
                )
            elif name == "flag_stale":
                n = rendering.letter_copies_flag_stale(campaign=campaign)
                messages.success(request, _("%(n)s copies need re-rendering.") % {"n": n})
    except base.DeliveryError as exc:
        messages.error(request, str(exc))


@staff_permission_required("manage_delivery")
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    data = selectors.delivery_progress(campaign=campaign, channel="email")
    template = "delivery/_progress.html" if request.GET.get("partial") else "delivery/progress.html"
    return render(request, template, {"campaign": campaign, "progress": data})


@staff_permission_required("manage_delivery")
@never_cache
def letter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Any copy beside its reasoning (why each ask landed in its case) and the
    target's logged responses."""
    letter = get_object_or_404(LetterCopy.objects.select_related("campaign", "target"), pk=pk)
    return render(
        request,
        "delivery/letter_preview.html",
        {
            "letter": letter,
            "reasoning": letters.letter_reasoning(letter=letter),
            "responses": Response.objects.filter(target=letter.target).order_by("-logged_at"),
        },
    )


@staff_permission_required("manage_delivery")
@never_cache
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(LetterCopy.objects.select_related("campaign", "target"), pk=pk)
    pdf, _pages = printing.letters_pdf(letters=[letter])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response


@staff_permission_required("manage_delivery")
@require_POST
def packet_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = PacketForm(request.POST)
    if form.is_valid():
        try:
            packet = printing.print_packet_request(
                campaign=campaign, by=request.user, **form.cleaned_data
            )
            return redirect(
                reverse("delivery:dashboard", args=[slug]) + f"?packet={packet.pk}#print"
            )
        except base.DeliveryError as exc:
            messages.error(request, str(exc))
    return redirect("delivery:dashboard", slug=slug)


def packet_shown(request: HttpRequest, campaign: Campaign) -> PrintPacket | None:
    """The packet a page follows after starting it (``?packet=``), from this campaign."""
    pk = request.GET.get("packet", "")
    if not pk.isdigit():
        return None
    return PrintPacket.objects.filter(campaign=campaign, pk=pk).first()


@staff_permission_required("manage_delivery")
@require_POST
def packet_retry(request: HttpRequest, pk: int) -> HttpResponse:
    packet = get_object_or_404(PrintPacket, pk=pk)
    if not printing.print_packet_retry(packet=packet, by=request.user):
        messages.error(request, _("Only a failed packet can be retried."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("delivery:dashboard", args=[packet.campaign.slug]) + f"?packet={pk}"
    return redirect(back)


@staff_permission_required("manage_delivery")
@never_cache
def packet_download(request: HttpRequest, pk: int) -> FileResponse:
    packet = get_object_or_404(PrintPacket, pk=pk, status=PacketStatus.DONE)
    return FileResponse(packet.pdf.open("rb"), content_type="application/pdf")


@staff_permission_required("manage_delivery")
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("campaign"), pk=pk)
    sending.delivery_retry(delivery=delivery, by=request.user)
    return redirect("delivery:dashboard", slug=delivery.campaign.slug)


@staff_permission_required("manage_delivery")
@require_POST
def delivery_mark(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("campaign"), pk=pk)
    form = MarkForm(request.POST)
    if form.is_valid():
        printing.delivery_mark(delivery=delivery, by=request.user, **form.cleaned_data)
    return redirect("delivery:dashboard", slug=delivery.campaign.slug)


@staff_permission_required("manage_delivery")
def response_add(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target.objects.select_related("campaign", "jurisdiction"), pk=pk)
    form = ResponseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        responses.response_log(
            campaign=target.campaign, target=target, kind=data["kind"], notes=data["notes"],
            attachment=data["attachment"], policies=list(data["policies"]),
            commitment_date=data["commitment_date"], by=request.user,
        )  # fmt: skip
        messages.success(request, _("Response logged."))
        return redirect("delivery:accountability", slug=target.campaign.slug)
    return render(request, "delivery/response_form.html", {"target": target, "form": form})


def accountability(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: who responded, who committed, who has not answered, by state and role."""
    campaign = campaign_public_get(slug=slug)
    if campaign is None:  # drafts are not public anywhere
        raise Http404
    rows = selectors.campaign_accountability(campaign=campaign)
    summary = selectors.campaign_delivery_summary(campaign=campaign)
    return render(
        request,
        "delivery/accountability.html",
        {"campaign": campaign, "rows": rows, "summary": summary},
    )


@staff_permission_required("manage_delivery")
@never_cache
def response_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A response's attachment, for staff only, always as a download with the
    type its bytes show (media files are not served publicly)."""
    response = get_object_or_404(Response.objects.exclude(attachment=""), pk=pk)
    handle = response.attachment.open("rb")
    kind = upload_kind(handle) or "text"
    content_type, extension = KINDS[kind]
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"response-{response.pk}.{extension}",
        content_type=content_type,
    )


@staff_permission_required("edit_rosters")
def coverage(request: HttpRequest, slug: str) -> HttpResponse:
    """Frozen targets lacking a holder, an email or a postal address, by state and role,
    with the campaign's verified signatories of each state to invite to the roster drive."""
    campaign = _campaign(slug)
    return render(
        request,
        "delivery/coverage.html",
        {"campaign": campaign, "coverage": selectors.campaign_coverage(campaign=campaign)},
    )

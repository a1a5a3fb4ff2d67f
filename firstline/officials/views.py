"""Public pages: a jurisdiction with its offices, one office with its holders, and the
roster drive's forms (a partner's invitation link, a resident's suggestion). Staff
pages: review proposed changes, invite a partner, upload a roster CSV.

Views parse input and call services/selectors (STYLE.md); every staff view checks a
named permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firstline.core.permissions import staff_permission_required
from firstline.geo.models import Jurisdiction
from firstline.lib.clients import client_fingerprint
from firstline.lib.pow import pow_challenge_create
from firstline.officials import abuse, selectors, services
from firstline.officials.forms import ProposalForm, RosterUploadForm, SuggestionForm
from firstline.officials.importers_csv import roster_upload
from firstline.officials.models import Office, RosterChange, RosterChangeStatus

UPLOAD_SESSION_KEY = "officials.roster_upload"


def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        office = selectors.office_get(pk=pk)
    except Office.DoesNotExist:
        raise Http404 from None
    return render(request, "officials/office_detail.html", selectors.office_page(office=office))


# --- the roster drive: public ----------------------------------------------------------------


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "officials/roster_refused.html", {"reason": reason}, status=410)


def roster_invite(request: HttpRequest, token: str) -> HttpResponse:
    """The partner's form: every office of its jurisdictions, each with holder and contacts."""
    try:
        invite = services.roster_invite_check(token=token)
    except services.RosterLinkRefused as refused:
        return _refused(request, refused.reason)
    offices = selectors.offices_sorted(
        list(selectors.offices_with_holders(services.roster_invite_offices(invite=invite)))
    )
    forms = [
        (office, ProposalForm(request.POST or None, prefix=f"o{office.pk}")) for office in offices
    ]
    refusal = abuse.Refusal.NONE
    if request.method == "POST" and all(form.is_valid() for _o, form in forms):
        refusal = abuse.invite_screen(
            client=client_fingerprint(request),
            invite_id=invite.pk,
            pow_payload=request.POST.get("pow", ""),
        )
        if refusal == abuse.Refusal.NONE:
            proposals = {office.pk: form.proposal() for office, form in forms}
            try:
                changes = services.roster_invite_submit(invite=invite, proposals=proposals)
            except services.RosterLinkRefused as refused:
                return _refused(request, refused.reason)
            return render(request, "officials/roster_thanks.html", {"count": len(changes)})
    context = {"invite": invite, "forms": forms, "jurisdictions": list(invite.jurisdictions.all())}
    return _form_page(request, "officials/roster_invite.html", context, refusal)


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], refusal: abuse.Refusal
) -> HttpResponse:
    """A public roster form, with a fresh proof-of-work challenge; a refused
    submission comes back (429) with what the visitor typed still filled in."""
    context = {**context, "refusal": refusal, "pow_challenge": pow_challenge_create().as_dict()}
    return render(request, template, context, status=429 if refusal else 200)


def roster_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's moderated suggestion for one office: a pending change, nothing more."""
    office = get_object_or_404(Office.objects.select_related("jurisdiction"), pk=pk)
    form = SuggestionForm(request.POST or None)
    refusal = abuse.Refusal.NONE
    if request.method == "POST" and form.is_valid():
        refusal = abuse.suggestion_screen(
            client=client_fingerprint(request),
            office_id=office.pk,
            pow_payload=request.POST.get("pow", ""),
        )
        if refusal == abuse.Refusal.NONE:
            services.roster_change_submit(
                office=office, proposal=form.proposal(), submitted_by_label="public suggestion"
            )
            return render(request, "officials/roster_thanks.html", {"count": 1, "office": office})
    context = {"office": office, "form": form}
    return _form_page(request, "officials/roster_suggest.html", context, refusal)


# --- the roster drive: staff -----------------------------------------------------------------


@staff_permission_required("review_rosters")
def roster_review(request: HttpRequest) -> HttpResponse:
    pending = (
        RosterChange.objects.filter(status=RosterChangeStatus.PENDING)
        .select_related("office__jurisdiction", "invite")
        .order_by("submitted_at")[:200]
    )
    return render(request, "officials/roster_review.html", {"changes": pending})


@staff_permission_required("review_rosters")
@require_POST
def roster_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(RosterChange, pk=pk)
    if request.POST.get("decision") == "accept":
        services.roster_change_accept(change=change, reviewer=request.user)
        messages.success(request, _("Accepted: %(office)s") % {"office": change.office.title})
    else:
        services.roster_change_reject(change=change, reviewer=request.user)
        messages.info(request, _("Rejected: %(office)s") % {"office": change.office.title})
    return redirect(request.POST.get("next") or reverse("officials:roster_review"))


@staff_permission_required("edit_rosters")
@require_POST
def roster_invite_create(request: HttpRequest) -> HttpResponse:
    """Invite an organization (name and email given by the caller, e.g. delivery's coverage
    view), to fill in the given offices or every office of the given jurisdictions."""
    jurisdictions = list(
        Jurisdiction.objects.filter(ocd_id__in=request.POST.getlist("jurisdiction"))
    )
    name = request.POST.get("organization_name", "").strip()
    email = request.POST.get("organization_email", "").strip()
    if not jurisdictions or not name or "@" not in email:
        messages.error(
            request, _("An invitation needs a jurisdiction, an organization and its email.")
        )
        return redirect(request.POST.get("next") or reverse("officials:roster_review"))
    offices = Office.objects.filter(
        pk__in=[int(pk) for pk in request.POST.getlist("office") if pk.isdigit()]
    )
    invite, token = services.roster_invite_create(
        jurisdictions=jurisdictions,
        organization_name=name,
        organization_email=email,
        created_by=request.user,
        offices=offices,
    )
    link = request.build_absolute_uri(reverse("officials:roster_form", kwargs={"token": token}))
    services.roster_invite_send(invite=invite, link=link, language=get_language() or "en")
    return render(
        request,
        "officials/roster_invite_created.html",
        {"invite": invite, "link": link, "next": request.POST.get("next", "")},
    )


@staff_permission_required("edit_rosters")
def roster_upload_page(request: HttpRequest) -> HttpResponse:
    """Upload -> dry-run preview (counts, row errors) -> confirm; the file waits in the session."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(UPLOAD_SESSION_KEY)
        if not pending:
            messages.error(request, _("Upload the file again: the preview has expired."))
            return redirect("officials:roster_upload")
        result = roster_upload(confirm=True, **pending)
        if result.applied:
            del request.session[UPLOAD_SESSION_KEY]
            messages.success(
                request, _("Roster imported: %(summary)s") % {"summary": result.counts.summary()}
            )
            return redirect("officials:roster_upload")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            pending = {
                "text": text,
                "fmt": form.cleaned_data["format"],
                "mapping": form.mapping(),
                "file": upload.name,
            }
            result = roster_upload(confirm=False, **pending)
            request.session[UPLOAD_SESSION_KEY] = pending
    return render(request, "officials/roster_upload.html", {"form": form, "result": result})

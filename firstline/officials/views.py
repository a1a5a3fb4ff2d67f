"""Public pages: a jurisdiction with its offices, and one office with its holders."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from firstline.geo.models import Jurisdiction
from firstline.officials import selectors
from firstline.officials.models import Office


def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        office = selectors.office_get(pk=pk)
    except Office.DoesNotExist:
        raise Http404 from None
    return render(request, "officials/office_detail.html", selectors.office_page(office=office))


def jurisdiction_detail(request: HttpRequest, ocd_id: str) -> HttpResponse:
    jurisdiction = get_object_or_404(
        Jurisdiction.objects.select_related("state", "county"), ocd_id=ocd_id
    )
    return render(
        request,
        "officials/jurisdiction_detail.html",
        selectors.jurisdiction_page(jurisdiction=jurisdiction),
    )

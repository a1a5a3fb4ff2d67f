from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from firstline.officials.models import Office


def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    office = get_object_or_404(Office.objects.select_related("jurisdiction", "district"), pk=pk)
    return render(request, "officials/office_detail.html", {"office": office})


def jurisdiction_detail(request: HttpRequest, ocd_id: str) -> HttpResponse:
    from firstline.geo.models import Jurisdiction

    jurisdiction = get_object_or_404(Jurisdiction.objects.select_related("state", "county"), ocd_id=ocd_id)
    return render(request, "officials/jurisdiction_detail.html", {"jurisdiction": jurisdiction})

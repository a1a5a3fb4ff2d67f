from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from firstline.geo.models import Jurisdiction


def jurisdiction_detail(request: HttpRequest, ocd_id: str) -> HttpResponse:
    jurisdiction = get_object_or_404(Jurisdiction.objects.select_related("state", "county"), ocd_id=ocd_id)
    return render(request, "geo/jurisdiction_detail.html", {"jurisdiction": jurisdiction})

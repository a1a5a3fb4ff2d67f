from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from firstline.officials.models import Office


def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    office = get_object_or_404(Office.objects.select_related("jurisdiction", "district"), pk=pk)
    return render(request, "officials/office_detail.html", {"office": office})

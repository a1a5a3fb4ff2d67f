"""The place search: a ZIP code goes to the resident lookup, anything else to matching jurisdictions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from firstline.geo import selectors


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    zip_code = selectors.parse_zip(query)
    if zip_code:
        try:
            # By URL name: the lookup page belongs to residents, above geo in the stack.
            return redirect(f"{reverse('residents:lookup')}?zip={zip_code}")
        except NoReverseMatch:
            pass
    results = selectors.jurisdiction_search(query=query)
    return render(request, "geo/search.html", {"query": query, "results": results})

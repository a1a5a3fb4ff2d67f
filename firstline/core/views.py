from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from firstline.geo import selectors as geo_selectors


def home(request: HttpRequest) -> HttpResponse:
    from firstline.policies.views import home_map_context

    return render(
        request,
        "core/home.html",
        {"counts": geo_selectors.national_counts(), **home_map_context(request)},
    )


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    zip_code = geo_selectors.parse_zip(query)
    if zip_code:
        try:
            return redirect(f"{reverse('residents:lookup')}?zip={zip_code}")
        except NoReverseMatch:
            pass
    results = geo_selectors.jurisdiction_search(query=query)
    return render(request, "core/search.html", {"query": query, "results": results})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def data_sources(request: HttpRequest) -> HttpResponse:
    return render(request, "core/data_sources.html")


def staff_login(request: HttpRequest, token: str) -> HttpResponse:
    from django.contrib.auth import login

    from firstline.core.services import staff_login_link_use

    user = staff_login_link_use(token=token)
    if user is None:
        return render(request, "core/staff_login_invalid.html", status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("admin:index")

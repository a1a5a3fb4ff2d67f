from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    # The map and the counts are policies' and geo's: they fill the page's
    # sections (core_tags.page_sections), so core names no app.
    return render(request, "core/home.html")


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

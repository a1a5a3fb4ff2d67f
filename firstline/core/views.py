from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from firstline.core.selectors import health_report


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


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and supervisors: 200 when the database answers and a
    task worker beat recently, else 503 naming what failed. No page, no
    language prefix, nothing about visitors."""
    health = health_report()
    body = {
        "status": "ok" if health.ok else "fail",
        "database": "fail" if "database" in health.failing else "ok",
        "worker": "fail" if "worker" in health.failing else "ok",
        "workers": health.workers,
        "last_heartbeat": health.last_beat.isoformat() if health.last_beat else None,
        "failing": health.failing,
    }
    return JsonResponse(body, status=200 if health.ok else 503)

"""Staff sign-in pages outside the admin: the second factor and its enrolment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from firstline.core import two_factor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/admin/"


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.is_staff:
        return redirect("/")
    next_url = _next_url(request)
    if user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
        return redirect(next_url)
    if not two_factor.has_confirmed_device(user):
        return _enrol(request, user, next_url)
    error = False
    if request.method == "POST":
        if two_factor.two_factor_verify(
            request=request, user=user, code=request.POST.get("code", "")
        ):
            return redirect(next_url)
        error = True
    return render(request, "core/two_factor_verify.html", {"next": next_url, "error": error})


def _enrol(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    device = two_factor.totp_enrollment_device(user=user)
    error = False
    if request.method == "POST":
        codes = two_factor.totp_enrollment_confirm(
            request=request, user=user, code=request.POST.get("code", "")
        )
        if codes is not None:
            return render(request, "core/two_factor_codes.html", {"codes": codes, "next": next_url})
        error = True
    context = {
        "qr_svg": two_factor.totp_qr_svg(device),
        "secret": two_factor.totp_secret_base32(device),
        "next": next_url,
        "error": error,
    }
    return render(request, "core/two_factor_enrol.html", context)

"""Privacy-related response hardening.

No third-party requests are possible from our pages: the CSP allows only our
own origin. REMOTE_ADDR is never logged by us; rate limiting hashes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


class PrivacyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault(
            "Permissions-Policy", "interest-cohort=(), geolocation=(), camera=(), microphone=()"
        )
        return response


# Paths a signed-in but not yet verified staff member may still reach.
TWO_FACTOR_OPEN_PREFIXES = ("/staff/2fa/", "/admin/logout/", "/static/")


class StaffTwoFactorMiddleware:
    """Send staff whose session has not passed the second factor to it.

    Runs after django-otp's OTPMiddleware (which sets ``user.is_verified``).
    Only staff are affected: the public site has no accounts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.STAFF_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not request.path.startswith(TWO_FACTOR_OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

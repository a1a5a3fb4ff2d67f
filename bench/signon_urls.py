"""The site's URLs plus ``/<lang>/bench/echo/``: a trivial POST that goes
through the same middleware as the sign-on form (CSRF included), the
baseline bench/signon_burst.py measures the sign-on against."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from firstline.urls import urlpatterns as site_urlpatterns


@require_POST
def echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    *i18n_patterns(path("bench/echo/", echo, name="bench_echo"), prefix_default_language=True),
    *site_urlpatterns,
]

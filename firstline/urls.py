from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from firstline.core import staff_views
from firstline.core import views as core_views
from firstline.policies import views as policies_views

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("staff-login/<str:token>/", core_views.staff_login, name="staff_login"),
    path("staff/2fa/", staff_views.two_factor_page, name="two_factor"),
    path("api/v1/", include("firstline.api.urls")),
    # Health check for proxies and supervisors: database and task workers.
    path("healthz", core_views.healthz, name="healthz"),
]

# Public pages live under /en/ and /es/ so every page has a stable,
# shareable URL in each language (no cookie needed to get Spanish).
urlpatterns += i18n_patterns(
    path("", include("firstline.core.urls")),
    # The jurisdiction page composes geography, officials and (later) the
    # scorecard, so it is named at the top level, not inside one app.
    path("j/<path:ocd_id>/", policies_views.jurisdiction_detail, name="jurisdiction"),
    path("", include("firstline.geo.urls")),
    path("officials/", include("firstline.officials.urls")),
    path("policies/", include("firstline.policies.urls")),
    path("campaigns/", include("firstline.campaigns.urls")),
    path("delivery/", include("firstline.delivery.urls")),
    path("staff/campaigns/", include("firstline.workspace.urls")),
    path("mail/", include("firstline.mail.urls")),
    path("", include("firstline.residents.urls")),
    path("data/", include("firstline.opendata.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

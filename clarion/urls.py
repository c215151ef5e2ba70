from django.contrib import admin
from django.urls import include, path

from clarion.api.root import api
from clarion.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("clarion.accounts.urls")),
    path("settings/pipelines/", include("clarion.crm.pipeline_urls")),
    path("deals/board/", include("clarion.crm.board_urls")),
    path("settings/api-keys/", include("clarion.api.urls")),
    path("", include("clarion.crm.urls")),
    path("search/", include("clarion.crm.search_urls")),
    path("duplicates/", include("clarion.crm.merge_urls")),
    path("settings/", include("clarion.accounts.settings_urls")),
    path("", include("clarion.segments.urls")),
    path("", include("clarion.notifications.urls")),
    path("", include("clarion.collab.urls")),
    path("", include("clarion.tasks.urls")),
    path("", include("clarion.chat.urls")),
    path("", include("clarion.emails.urls")),
    path("", include("clarion.subscriptions.urls")),
    path("", include("clarion.sending.urls")),
    path("", include("clarion.tracking.urls")),
    path("", include("clarion.campaigns.urls")),
    path("", include("clarion.campaigns.report_urls")),
    path("", include("clarion.integrations.urls")),
    path("admin/", admin.site.urls),
    path("", include("clarion.core.urls")),
]

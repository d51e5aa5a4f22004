from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from confidence_vote import views
from reports.urls import signing_urlpatterns, verify_urlpatterns

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="vote_sessions:list", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("sessions/", include("sessions.urls")),
    path("sessions/", include("ballots.urls")),
    path("sessions/", include("reports.urls")),
    path("signing/", include((signing_urlpatterns, "signing"))),
    path("", include(verify_urlpatterns)),
]

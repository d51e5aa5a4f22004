"""The public verification page, mounted at the site's root: "/verify/" (no login)."""

from django.urls import path

from reports import verify_views

urlpatterns = [
    path("verify/", verify_views.verify, name="verify"),
]

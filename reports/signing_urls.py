from django.urls import path

from reports import signing_views

app_name = "signing"

# Mounted under /signing/: superusers set up each organization's signing key.
urlpatterns = [
    path("", signing_views.organization_list, name="list"),
    path("<int:organization_id>/", signing_views.organization_signing, name="organization"),
    path("<int:organization_id>/upload/", signing_views.upload, name="upload"),
    path("<int:organization_id>/upload/accept/", signing_views.upload_accept, name="upload_accept"),
    path("<int:organization_id>/trial/", signing_views.trial, name="trial"),
    path("<int:organization_id>/token/", signing_views.token, name="token"),
]

from django.urls import path  # noqa: F401

from reports import certify_views, document_views, views

app_name = "reports"

# Mounted under /sessions/: every path starts with the session's id.
urlpatterns: list = [
    # --- results and exports ---
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    # --- documents ---
    path("<int:pk>/results/<str:kind>.pdf", document_views.document, name="document"),
    # --- certification ---
    path("<int:pk>/results/sign-off/", certify_views.signoff, name="signoff"),
    path(
        "<int:pk>/results/sign-off/confirm/",
        certify_views.signoff_confirm,
        name="signoff_confirm",
    ),
    path(
        "<int:pk>/results/sign-off/details/", certify_views.signoff_details, name="signoff_details"
    ),
    path("<int:pk>/results/sign-off/certify/", certify_views.certify, name="certify"),
    path("<int:pk>/results/sign-off/reopen/", certify_views.reopen_result, name="reopen_result"),
    path(
        "<int:pk>/results/sign-off/paper-minutes/",
        certify_views.paper_minutes,
        name="paper_minutes",
    ),
    path(
        "<int:pk>/results/signed/<int:document_id>/",
        certify_views.signed_document,
        name="signed_document",
    ),
]

from django.urls import path  # noqa: F401

from reports import document_views, views

app_name = "reports"

# Mounted under /sessions/: every path starts with the session's id.
urlpatterns: list = [
    # --- results and exports ---
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    # --- documents ---
    path("<int:pk>/results/<str:kind>.pdf", document_views.document, name="document"),
]

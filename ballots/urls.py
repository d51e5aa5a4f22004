"""The ballots app's URLs, gathered from its views modules (each declares its own)."""

from ballots.views import compare, count, count_log, entry, hand_count, scans, upload

app_name = "ballots"

# Mounted under /sessions/: every path starts with the session's id.
urlpatterns = [
    *count.urlpatterns,
    *entry.urlpatterns,
    *compare.urlpatterns,
    *hand_count.urlpatterns,
    *upload.urlpatterns,
    *scans.urlpatterns,
    *count_log.urlpatterns,
]

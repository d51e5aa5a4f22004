"""The reports app's URLs, gathered from its views modules (each declares its own)."""

from reports.views import certify, documents, results, scans, signing, verify

app_name = "reports"

# Mounted under /sessions/: every path starts with the session's id.
urlpatterns = [
    *results.urlpatterns,
    *documents.urlpatterns,
    *certify.urlpatterns,
    *scans.urlpatterns,
]
# Mounted elsewhere by confidence_vote/urls.py: the public verification page at the root, and
# the signing keys' pages under /signing/ (namespace "signing").
verify_urlpatterns = verify.urlpatterns
signing_urlpatterns = signing.urlpatterns

"""The sessions app's URLs, gathered from its views modules (each declares its own)."""

from sessions.views import attendance, committee, imports, people, sessions

app_name = "vote_sessions"

urlpatterns = [
    *sessions.urlpatterns,
    *people.urlpatterns,
    *imports.urlpatterns,
    *attendance.urlpatterns,
    *committee.urlpatterns,
]

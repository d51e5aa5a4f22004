from django.urls import path

from sessions.views import attendance, committee, imports, people, sessions

app_name = "vote_sessions"

urlpatterns = [
    path("", sessions.session_list, name="list"),
    path("new/", sessions.session_create, name="create"),
    path("<int:pk>/", sessions.session_detail, name="detail"),
    path("<int:pk>/edit/", sessions.session_edit, name="edit"),
    path("<int:pk>/history/", sessions.session_history, name="history"),
    path("<int:pk>/start-voting/", sessions.session_start_voting, name="start_voting"),
    path("<int:pk>/unlock/", sessions.session_unlock, name="unlock"),
    *people.urlpatterns,
    *imports.urlpatterns,
    *attendance.urlpatterns,
    *committee.urlpatterns,
]

"""The session's tabs, built from the access object: a tab shows only where the user may go."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sessions.models import VoteSession


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    active: bool
    testid: str


# (label, URL name, capability needed, test id)
TABS = [
    (_("Overview"), "vote_sessions:detail", "view", "nav-overview"),
    (_("Officials"), "vote_sessions:officials", "view", "nav-officials"),
    (_("Delegates"), "vote_sessions:delegates", "view", "nav-delegates"),
    (_("Attendance"), "vote_sessions:attendance", "view", "nav-attendance"),
    (_("Counting committee"), "vote_sessions:committee", "view", "nav-committee"),
    (_("Count"), "ballots:count", "count", "nav-count"),
    (_("Ballot record"), "ballots:count_log", "view_log", "nav-count-log"),
    (_("Results"), "reports:results", "view_results", "nav-results"),
    (_("History"), "vote_sessions:history", "view", "nav-history"),
]


def session_tabs(session: VoteSession, path: str) -> list[Tab]:
    tabs = []
    for label, name, capability, testid in TABS:
        if not session.access.can(capability):
            continue
        url = reverse(name, kwargs={"pk": session.pk})
        tabs.append(Tab(label=str(label), url=url, active=path == url, testid=testid))
    return tabs

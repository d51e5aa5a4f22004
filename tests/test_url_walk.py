"""Every URL with every role: the status each must answer, GET and POST.

A new URL pattern without a line in EXPECTED fails test_every_url_has_an_expectation, so no
view can be added without deciding who may use it.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from reports.models import DocumentKind, SignedDocument
from tests.factories import make_committee_member, make_delegate, make_official

ROLES = ["secretariat", "counting", "leader", "outsider", "anonymous"]

# name: (GET statuses, POST statuses) for secretariat, counting, leader, outsider.
# Anonymous users are always sent to the login page (302).
# POST "ok" means the secretariat's empty POST is handled (a form error, a redirect or a
# 4xx for a malformed request), never a 500, 403 or 404.
VIEW = (200, 200, 200, 404)
MANAGE_PAGE = (200, 403, 403, 404)
POST_ONLY = (405, 405, 405, 405)
MANAGE_POST = ("ok", 403, 403, 404)
# Only the committee chair (or, where noted, a member with the right pass) may use these.
CHAIR_PAGE = (403, 403, 403, 404)
CHAIR_POST = (403, 403, 403, 404)
EXPECTED = {
    "vote_sessions:list": ((200, 200, 200, 200), (405, 405, 405, 405)),
    "vote_sessions:create": ((200, 403, 403, 200), ("ok", 403, 403, "ok")),
    "vote_sessions:detail": (VIEW, POST_ONLY),
    "vote_sessions:edit": (MANAGE_PAGE, MANAGE_POST),
    "vote_sessions:history": (VIEW, POST_ONLY),
    "vote_sessions:start_voting": (POST_ONLY, MANAGE_POST),
    "vote_sessions:unlock": (POST_ONLY, MANAGE_POST),
    "vote_sessions:officials": (VIEW, MANAGE_POST),
    "vote_sessions:official_edit": (MANAGE_PAGE, MANAGE_POST),
    "vote_sessions:official_delete": (POST_ONLY, MANAGE_POST),
    "vote_sessions:official_move": (POST_ONLY, MANAGE_POST),
    "vote_sessions:official_dossier": (VIEW, POST_ONLY),
    "vote_sessions:delegates": (VIEW, MANAGE_POST),
    "vote_sessions:delegate_edit": (MANAGE_PAGE, MANAGE_POST),
    "vote_sessions:delegate_delete": (POST_ONLY, MANAGE_POST),
    "vote_sessions:import": (MANAGE_PAGE, MANAGE_POST),
    "vote_sessions:import_template": (MANAGE_PAGE, POST_ONLY),
    "vote_sessions:import_confirm": (POST_ONLY, MANAGE_POST),
    "vote_sessions:attendance": (VIEW, POST_ONLY),
    "vote_sessions:attendance_mark": (POST_ONLY, MANAGE_POST),
    "vote_sessions:committee": (VIEW, MANAGE_POST),
    "vote_sessions:committee_edit": (MANAGE_PAGE, MANAGE_POST),
    "vote_sessions:committee_delete": (POST_ONLY, MANAGE_POST),
    # Counting: the walk's counting user holds a member's seat on the committee, not the chair.
    "ballots:count": ((403, 200, 403, 404), POST_ONLY),
    "ballots:count_open": (POST_ONLY, CHAIR_POST),
    "ballots:count_collected": (POST_ONLY, CHAIR_POST),
    "ballots:count_close": (POST_ONLY, CHAIR_POST),
    "ballots:count_reopen": (POST_ONLY, CHAIR_POST),
    "ballots:compare": (CHAIR_PAGE, POST_ONLY),
    "ballots:resolve": (CHAIR_PAGE, CHAIR_POST),
    "ballots:tally_sheet": ((403, 200, 403, 404), CHAIR_POST),
    "ballots:entry": ((403, 200, 403, 404), (403, "ok", 403, 404)),
    # Blind double entry: a member sees a pass's ballots only after typing in it.
    "ballots:ballot_list": (CHAIR_PAGE, POST_ONLY),
    "ballots:ballot_edit": (CHAIR_PAGE, CHAIR_POST),
    "ballots:ballot_void": (POST_ONLY, CHAIR_POST),
    "ballots:upload": ((403, 200, 403, 404), (403, "ok", 403, 404)),
    "ballots:record": ((403, 403, 200, 404), POST_ONLY),
    # Results: the counting committee and leadership; the secretariat once certified.
    "reports:results": ((403, 200, 200, 404), POST_ONLY),
    "reports:results_csv": ((403, 200, 200, 404), POST_ONLY),
    "reports:results_xlsx": ((403, 200, 200, 404), POST_ONLY),
    # Documents (walked as the minutes): like the results.
    "reports:document": ((403, 200, 200, 404), POST_ONLY),
    # Certification: the walk's counting user holds a member's seat (confirms; never certifies).
    "reports:signoff": ((403, 200, 200, 404), POST_ONLY),
    "reports:signoff_confirm": (POST_ONLY, (403, "ok", 403, 404)),
    "reports:certify": (POST_ONLY, CHAIR_POST),
    "reports:reopen_result": (POST_ONLY, CHAIR_POST),
    "reports:paper_minutes": (POST_ONLY, CHAIR_POST),
    "reports:signed_document": ((403, 200, 200, 404), POST_ONLY),
    # One's own account: every signed-in user.
    "password_change": ((200, 200, 200, 200), ("ok", "ok", "ok", "ok")),
    "password_change_done": ((200, 200, 200, 200), (405, 405, 405, 405)),
}
# Open to everyone, logged in or not: (GET, POST) for all five roles.
PUBLIC = {"verify": (200, "ok"), "healthz": (200, "ok")}
# Django's own pages, outside the product's permission model.
NOT_WALKED = {"login", "logout", "set_language"}


def _named_patterns(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_an_expectation():
    names = set(_named_patterns()) - NOT_WALKED
    assert names == set(EXPECTED) | set(PUBLIC)


@pytest.fixture
def objects(session, settings, tmp_path, counting_member):
    settings.MEDIA_ROOT = tmp_path
    official = make_official(session)
    official.dossier.save("Báo cáo tự kiểm điểm.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    delegate = make_delegate(session)
    member = make_committee_member(session, user=counting_member)
    document = SignedDocument.objects.create(
        session=session,
        version=1,
        kind=DocumentKind.MINUTES,
        content=b"%PDF-1.4\n%%EOF\n",
        sha256="0" * 64,
        file_name="Biên bản kiểm phiếu - v1.pdf",
        certified_by=counting_member,
        certified_at=timezone.now(),
    )
    return {
        "pk": session.pk,
        "official_id": official.pk,
        "delegate_id": delegate.pk,
        "member_id": member.pk,
        "kind": "delegates",
        "entry_pass": 1,
        "number": 1,
        "document_id": document.pk,
    }


def _url(name, objects):
    if name == "reports:document":
        objects = {**objects, "kind": "minutes"}
    for candidate in (
        [],
        ["pk"],
        ["pk", "kind"],
        ["pk", "official_id"],
        ["pk", "delegate_id"],
        ["pk", "member_id"],
        ["pk", "entry_pass"],
        ["pk", "number"],
        ["pk", "entry_pass", "number"],
        ["pk", "document_id"],
    ):
        try:
            return reverse(name, kwargs={k: objects[k] for k in candidate})
        except Exception:  # noqa: S112 - try the next shape of arguments
            continue
    raise AssertionError(f"cannot build {name}")


def _check(response, expected, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif expected == "ok":
        assert response.status_code not in (403, 404) and response.status_code < 500
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get(name, role, objects, login, secretariat, counting_member, leader, outsider):
    user = {"secretariat": secretariat, "counting": counting_member, "leader": leader}
    user |= {"outsider": outsider, "anonymous": None}
    expected = EXPECTED[name][0][ROLES.index(role)] if role != "anonymous" else None
    _check(login(user[role]).get(_url(name, objects)), expected, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_post(name, role, objects, login, secretariat, counting_member, leader, outsider):
    user = {"secretariat": secretariat, "counting": counting_member, "leader": leader}
    user |= {"outsider": outsider, "anonymous": None}
    expected = EXPECTED[name][1][ROLES.index(role)] if role != "anonymous" else None
    _check(login(user[role]).post(_url(name, objects)), expected, role)


def test_unknown_session_is_404_for_everyone(login, secretariat):
    assert login(secretariat).get("/sessions/987654/").status_code == 404
    assert login(secretariat).get("/sessions/987654/officials/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages(name, role, login, secretariat, counting_member, leader, outsider):
    user = {"secretariat": secretariat, "counting": counting_member, "leader": leader}
    user |= {"outsider": outsider, "anonymous": None}
    client = login(user[role])
    get, post = PUBLIC[name]
    assert client.get(reverse(name)).status_code == get
    status = client.post(reverse(name)).status_code
    assert status not in (403, 404) and status < 500

"""Every URL with every role in every state of a session: the status each must answer, GET and POST.

The expected answers come from one capability table (CAN below, written from the rules, not
from the code): a URL names the capability its GET and its POST need, and the walk expects
404 outside the organization, 302 to the login page for anonymous users, 403 without the
capability, and otherwise an answer that is neither 403, 404, 405 nor a 5xx. A new URL pattern
without a line in NEEDS fails test_every_url_has_an_expectation.

Roles: the secretariat; the committee's chair (who types no pass); the typist of pass 1; a
second member who types pass 2 once the count reaches it; a counting user without a seat;
leadership; another organization's secretariat; anonymous.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ballots.models import Ballot, Mark
from reports.models import DocumentKind, SignedDocument
from sessions.models import CommitteeRole, Role
from tests.factories import (
    make_committee_member,
    make_delegate,
    make_official,
    make_session,
    make_user,
)
from tests.scanning.held import make_held

ROLES = ["secretariat", "chair", "typist1", "typist2", "counting", "leader", "outsider", "anon"]
STATES = ["draft", "voting", "counting", "counted", "certified", "reopened"]
# The states in which each typist has entered a ballot in their pass.
TYPED = {
    "typist1": {"counting", "counted", "certified", "reopened"},
    "typist2": {"counted", "certified", "reopened"},
}
SEATED = {"chair", "typist1", "typist2"}
# Every member but the chair types (the default when the count opens); the chair oversees.
TYPISTS = {"typist1", "typist2"}
COUNTING = SEATED | {"counting"}
# Both passes hold the ballots issued once the count has reached "counted".
COMPLETE = {"counted", "certified", "reopened"}


def _blind(role: str, state: str) -> bool:
    # A typist sees nothing of the other pass, results included, until both are complete.
    return role in TYPISTS and state not in COMPLETE


def _edit_pass_1(role: str, state: str) -> bool:
    # Blind double entry: a member corrects pass 1's ballots only after typing in it.
    return role == "typist1" and state in TYPED["typist1"]


def _view_pass_1(role: str, state: str) -> bool:
    # Its typist, and the chair who types nothing (the overview).
    return _edit_pass_1(role, state) or role == "chair"


def _view_scan_1(role: str, state: str) -> bool:
    # The page images of pass 1's scans: its typist, and the chair comparing the passes.
    return _edit_pass_1(role, state) or role == "chair"


def _enter_pass_1(role: str, state: str) -> bool:
    # A typist who typed no ballot in the other pass.
    return role in TYPISTS and not (role == "typist2" and state in TYPED["typist2"])


# The capability table: capability -> (role, state) -> may.
CAN = {
    "view": lambda role, state: role not in ("outsider", "anon"),
    "manage": lambda role, state: role == "secretariat",
    "edit_lists": lambda role, state: role == "secretariat" and state == "draft",
    "count": lambda role, state: role in COUNTING,
    "enter_ballots": lambda role, state: role in TYPISTS,
    "confirm_result": lambda role, state: role in SEATED,
    "chair": lambda role, state: role == "chair",
    "certify": lambda role, state: role == "chair",
    "view_log": lambda role, state: role in ("leader", "chair"),
    "view_results": lambda role, state: (
        (role in COUNTING | {"leader"} or (role == "secretariat" and state == "certified"))
        and not _blind(role, state)
    ),
    "compare": lambda role, state: role == "chair",
    "edit_committee": lambda role, state: role == "secretariat" and state != "certified",
    "view_pass_1": _view_pass_1,
    "view_scan_1": _view_scan_1,
    "edit_pass_1": _edit_pass_1,
    "enter_pass_1": _enter_pass_1,
    "create_session": lambda role, state: role in ("secretariat", "outsider"),
    "list_sessions": lambda role, state: role != "anon",
    # Signing keys: Django superusers only (none of the walk's roles is one).
    "superuser": lambda role, state: False,
    "superuser_org": lambda role, state: False,
}

# URL name: (capability its GET needs, capability its POST needs); None: method not allowed.
NEEDS = {
    "vote_sessions:list": ("list_sessions", None),
    "vote_sessions:create": ("create_session", "create_session"),
    "vote_sessions:detail": ("view", None),
    "vote_sessions:edit": ("manage", "manage"),
    "vote_sessions:history": ("view", None),
    "vote_sessions:start_voting": (None, "manage"),
    "vote_sessions:unlock": (None, "manage"),
    "vote_sessions:officials": ("view", "manage"),
    "vote_sessions:official_edit": ("manage", "manage"),
    "vote_sessions:official_delete": (None, "manage"),
    "vote_sessions:official_move": (None, "manage"),
    "vote_sessions:official_dossier": ("view", None),
    "vote_sessions:delegates": ("view", "manage"),
    "vote_sessions:delegate_edit": ("manage", "manage"),
    "vote_sessions:delegate_delete": (None, "manage"),
    "vote_sessions:import": ("manage", "manage"),
    "vote_sessions:import_template": ("manage", None),
    "vote_sessions:import_confirm": (None, "manage"),
    "vote_sessions:attendance": ("view", None),
    "vote_sessions:attendance_mark": (None, "manage"),
    "vote_sessions:committee": ("view", "manage"),
    "vote_sessions:committee_edit": ("manage", "manage"),
    "vote_sessions:committee_delete": (None, "manage"),
    "ballots:count": ("count", None),
    "ballots:count_open": (None, "chair"),
    "ballots:count_collected": (None, "chair"),
    "ballots:count_close": (None, "chair"),
    "ballots:count_reopen": (None, "chair"),
    "ballots:compare": ("compare", None),
    "ballots:resolve": ("compare", "compare"),
    "ballots:hand_count": ("view_results", "chair"),
    "ballots:entry": ("enter_pass_1", "enter_pass_1"),
    "ballots:ballot_list": ("view_pass_1", None),
    "ballots:ballot_edit": ("edit_pass_1", "edit_pass_1"),
    "ballots:ballot_void": (None, "edit_pass_1"),
    "ballots:upload": ("enter_ballots", "enter_ballots"),
    # Held scanned ballots belong to their pass: its typist, once typing (or uploading) in it.
    "ballots:held_list": ("edit_pass_1", None),
    "ballots:held_review": ("edit_pass_1", "edit_pass_1"),
    # Its page images also to the chair, beside a difference between the passes.
    "ballots:held_page_image": ("view_scan_1", None),
    "reports:scan_upload": ("enter_ballots", "enter_ballots"),
    # An uploaded scan file of pass 1 and its reading: that pass's typist.
    "reports:scan_progress": ("edit_pass_1", None),
    "reports:scan_progress_json": ("edit_pass_1", None),
    "ballots:count_log": ("view_log", None),
    "reports:results": ("view_results", None),
    "reports:results_csv": ("view_results", None),
    "reports:results_xlsx": ("view_results", None),
    "reports:document": ("view_results", None),
    "reports:signoff": ("view_results", None),
    "reports:signoff_confirm": (None, "confirm_result"),
    "reports:signoff_details": (None, "chair"),
    "reports:certify": (None, "certify"),
    "reports:reopen_result": (None, "chair"),
    "reports:paper_minutes": (None, "chair"),
    "reports:signed_document": ("view_results", None),
    "signing:list": ("superuser", None),
    # One's own account: every signed-in user.
    "password_change": ("list_sessions", "list_sessions"),
    "password_change_done": ("list_sessions", None),
    "signing:organization": ("superuser_org", None),
    "signing:upload": (None, "superuser_org"),
    "signing:upload_accept": (None, "superuser_org"),
    "signing:trial": (None, "superuser_org"),
    "signing:token": ("superuser_org", "superuser_org"),
}
# Open to everyone, logged in or not: (GET, POST) for every role.
PUBLIC = {"verify": (200, "ok"), "healthz": (200, "ok")}
# Django's own pages, outside the product's permission model.
NOT_WALKED = {"login", "logout", "set_language"}
# Pages that render a PDF: walked in one state only (they cost a second each).
SLOW = {"reports:document"}


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
    assert names == set(NEEDS) | set(PUBLIC)


def test_every_capability_of_the_access_object_is_in_the_table():
    from sessions.access import REFUSALS

    assert set(REFUSALS) <= set(CAN)


def _ballot(session, *, entry_pass, user, officials):
    ballot = Ballot.objects.create(
        session=session, entry_pass=entry_pass, number=1, entered_by=user
    )
    Mark.objects.bulk_create(Mark(ballot=ballot, official=o, value="high") for o in officials)


def _build(state: str, org):
    """A session in `state` with the walk's people, built directly (the walk checks answers,
    not how the session got there)."""
    users = {
        "secretariat": make_user("van-phong", organization=org, roles=[Role.SECRETARIAT]),
        "chair": make_user("to-truong", organization=org, roles=[Role.COUNTING]),
        "typist1": make_user("nhap-1", organization=org, roles=[Role.COUNTING]),
        "typist2": make_user("nhap-2", organization=org, roles=[Role.COUNTING]),
        "counting": make_user("kiem-phieu", organization=org, roles=[Role.COUNTING]),
        "leader": make_user("lanh-dao", organization=org, roles=[Role.LEADERSHIP]),
    }
    session = make_session(org)
    officials = [make_official(session), make_official(session)]
    officials[0].dossier.save("Báo cáo tự kiểm điểm.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    delegate = make_delegate(session)
    make_committee_member(session, user=users["chair"], role=CommitteeRole.CHAIR)
    member = make_committee_member(session, user=users["typist1"])
    make_committee_member(session, user=users["typist2"])
    if state != "draft":
        session.status = {"reopened": "counting"}.get(state, state)
        session.ballots_issued = None if state == "voting" else 1
        session.ballots_collected = 1 if state in ("counted", "certified", "reopened") else None
        session.result_version = 2 if state == "reopened" else 1
        session.save()
    if state in TYPED["typist1"]:
        _ballot(session, entry_pass=1, user=users["typist1"], officials=officials)
    if state in TYPED["typist2"]:
        _ballot(session, entry_pass=2, user=users["typist2"], officials=officials)
    # A scanned ballot of pass 1 held for review, with its page image.
    held = make_held(session)
    document = SignedDocument.objects.create(
        session=session,
        version=1,
        kind=DocumentKind.MINUTES,
        content=b"%PDF-1.4\n%%EOF\n",
        sha256="0" * 64,
        file_name="Biên bản kiểm phiếu - v1.pdf",
        certified_by=users["chair"],
        certified_at=timezone.now() - dt.timedelta(hours=1),
    )
    objects = {
        "pk": session.pk,
        "official_id": officials[0].pk,
        "delegate_id": delegate.pk,
        "member_id": member.pk,
        "kind": "delegates",
        "entry_pass": 1,
        "number": 1,
        "page": 1,
        "batch_id": held.batch_id,
        "document_id": document.pk,
        "organization_id": session.organization_id,
    }
    return users, objects


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
        ["pk", "entry_pass", "number", "page"],
        ["pk", "document_id"],
        ["pk", "batch_id"],
        ["organization_id"],
    ):
        try:
            return reverse(name, kwargs={k: objects[k] for k in candidate})
        except Exception:  # noqa: S112 - try the next shape of arguments
            continue
    raise AssertionError(f"cannot build {name}")


def _expected(capability, role, state):
    if role == "anon":
        return 302
    if capability is None:
        return 405
    if not CAN[capability](role, state):
        in_org = capability in ("create_session", "list_sessions", "superuser")
        in_org = in_org or role != "outsider"
        return 403 if in_org else 404
    return "ok"


def _answer_matches(status, expected):
    if expected == "ok":
        return status not in (403, 404, 405) and status < 500
    return status == expected


def _steps():
    """Every GET first, then the POSTs, deletions last (they remove the walk's objects)."""
    steps = [("GET", name, needs[0]) for name, needs in sorted(NEEDS.items())]
    posts = [("POST", name, needs[1]) for name, needs in NEEDS.items()]
    return steps + sorted(posts, key=lambda step: ("delete" in step[1], step[1]))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_walk(role, state, org, outsider, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, objects = _build(state, org)
    users |= {"outsider": outsider, "anon": None}
    client = login(users[role])
    wrong = []
    for method, name, capability in _steps():
        if name in SLOW and state != "counting":
            continue
        url = _url(name, objects)
        expected = _expected(capability, role, state)
        response = client.get(url) if method == "GET" else client.post(url)
        if not _answer_matches(response.status_code, expected):
            wrong.append(f"{method} {name}: {response.status_code}, expected {expected}")
        if role == "anon":
            assert response["Location"].startswith("/accounts/login/"), name
    assert not wrong, "\n".join(wrong)


def test_unknown_session_is_404_for_everyone(login, secretariat):
    assert login(secretariat).get("/sessions/987654/").status_code == 404
    assert login(secretariat).get("/sessions/987654/officials/").status_code == 404


@pytest.mark.parametrize("role", ["secretariat", "leader", "outsider", "anon"])
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages(name, role, login, secretariat, leader, outsider):
    user = {"secretariat": secretariat, "leader": leader, "outsider": outsider, "anon": None}
    client = login(user[role])
    get, post = PUBLIC[name]
    assert client.get(reverse(name)).status_code == get
    status = client.post(reverse(name)).status_code
    assert status not in (403, 404) and status < 500

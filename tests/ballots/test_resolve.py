"""The chair resolves one difference from the paper ballot: prefill from a pass, or set each row."""

import re

import pytest

from ballots.models import Ballot
from ballots.selectors import pass_differences
from ballots.services import ballots_import
from sessions.models import AuditEntry, Role, SessionStatus, VoteSession
from tests.ballots import entry, make_counting_session
from tests.factories import make_user


@pytest.fixture
def counting(org, chair, counting_member):
    """Ballot 2 differs: pass 2 read official 3 as "low"; ballot 3 is missing from pass 2."""
    session = make_counting_session(org, chair=chair, members=[counting_member], issued=28)
    ballots_import(user=None, session=session, entry_pass=1, rows=[entry(n) for n in (1, 2, 3)])
    ballots_import(
        user=None,
        session=session,
        entry_pass=2,
        rows=[entry(1), entry(2, "high", "high", "low", "high", "high")],
    )
    return session


def url(session, number):
    return f"/sessions/{session.pk}/count/compare/{number}/"


def checked(body):
    """{official order: checked value} from the page's radios."""
    radios = re.findall(r'<input type="radio" name="mark_(\d+)" value="(\w+)"[^>]*checked', body)
    return {int(order): value for order, value in radios}


def stored(session, number):
    return {
        entry_pass: (
            ballot.invalid_reason,
            dict(ballot.marks.values_list("official__order", "value")),
        )
        for entry_pass, ballot in (
            (b.entry_pass, b)
            for b in Ballot.objects.filter(session=session, number=number, voided=False)
        )
    }


def marks_data(*values, **extra):
    data = {f"mark_{order}": value for order, value in enumerate(values, start=1)}
    return {"invalid_reason": "", "invalid_note": "", "reason": "", **data, **extra}


def test_page_shows_both_sides_and_empty_radios(login, counting, chair):
    response = login(chair).get(url(counting, 2))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Resolve ballot 2" in body
    assert checked(body) == {}
    row = re.search(r'data-order="3">(.*?)</tr>', body, re.S).group(1)
    assert "High confidence" in row and "Low confidence" in row
    assert 'class="table-danger fw-semibold"' in row


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ("1", dict.fromkeys(range(1, 6), "high")),
        ("2", {1: "high", 2: "high", 3: "low", 4: "high", 5: "high"}),
    ],
)
def test_pass_is_right_prefills_the_form(login, counting, chair, side, expected):
    body = login(chair).get(url(counting, 2) + f"?from={side}").content.decode()
    assert checked(body) == expected


def test_a_missing_side_cannot_be_taken(login, counting, chair):
    body = login(chair).get(url(counting, 3)).content.decode()
    assert 'data-testid="take-pass-1"' in body
    assert 'data-testid="take-pass-2"' not in body
    assert "Not entered in this pass" in body


def test_saving_sets_both_passes(login, counting, chair):
    data = marks_data("high", "high", "medium", "high", "high", reason="Xem lại phiếu giấy")
    response = login(chair).post(url(counting, 2), data, follow=True)
    assert response.redirect_chain[-1][0] == f"/sessions/{counting.pk}/count/compare/"
    assert [str(m) for m in response.context["messages"]] == [
        "Ballot 2 now reads the same in both passes."
    ]
    expected = ("", {1: "high", 2: "high", 3: "medium", 4: "high", 5: "high"})
    assert stored(counting, 2) == {1: expected, 2: expected}
    audit = AuditEntry.objects.get(session=counting, action="ballot.resolve")
    assert (audit.user, audit.reason) == (chair, "Xem lại phiếu giấy")
    assert [d["number"] for d in pass_differences(session=counting)] == [3]


def test_saving_a_whole_invalid_ballot_creates_the_missing_side(login, counting, chair):
    data = marks_data(invalid_reason="other", invalid_note="Rách đôi")
    response = login(chair).post(url(counting, 3), data)
    assert response.status_code == 302
    assert stored(counting, 3) == {1: ("other", {}), 2: ("other", {})}
    created = Ballot.objects.get(session=counting, entry_pass=2, number=3)
    assert (created.entered_by, created.invalid_note) == (None, "Rách đôi")


def test_a_row_left_unset_is_refused(login, counting, chair):
    response = login(chair).post(url(counting, 2), marks_data("high", "high", "", "high", "high"))
    assert response.status_code == 200
    body = response.content.decode()
    row = re.search(r'data-order="3">(.*?)</tr>', body, re.S).group(1)
    assert "Choose the mark on the paper ballot." in row
    assert stored(counting, 2)[2][1][3] == "low"
    assert not AuditEntry.objects.filter(session=counting, action="ballot.resolve").exists()


def test_a_refusal_from_the_service_is_shown(login, counting, chair):
    # A note without "Other" is a rule of the service, not of the form.
    data = marks_data(invalid_reason="not_issued", invalid_note="ghi chú")
    response = login(chair).post(url(counting, 2), data)
    assert response.status_code == 200
    assert "Ballot 2: a note is only kept when the reason is &quot;Other&quot;." in (
        response.content.decode()
    )
    assert stored(counting, 2)[2] == ("", {1: "high", 2: "high", 3: "low", 4: "high", 5: "high"})


def test_a_number_that_agrees_goes_back_to_the_list(login, counting, chair):
    for method in ("get", "post"):
        response = getattr(login(chair), method)(url(counting, 1), follow=True)
        assert response.redirect_chain[-1][0] == f"/sessions/{counting.pk}/count/compare/"
        assert [str(m) for m in response.context["messages"]] == [
            "The two passes agree on ballot 1: there is nothing to resolve."
        ]


def test_closed_count_refuses(login, counting, chair):
    VoteSession.objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    response = login(chair).post(
        url(counting, 2), marks_data("high", "high", "high", "high", "high")
    )
    assert response.status_code == 200
    assert "The count is closed: ballots can no longer change." in response.content.decode()
    assert stored(counting, 2)[2][1][3] == "low"


def test_permissions(login, org, counting, counting_member, secretariat, leader, outsider):
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    data = marks_data("high", "high", "high", "high", "high")
    for method in ("get", "post"):
        anonymous = getattr(login(None), method)(url(counting, 2), data)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/")
        assert getattr(login(outsider), method)(url(counting, 2), data).status_code == 404
        for user in (secretariat, leader, counting_member, bystander):
            assert getattr(login(user), method)(url(counting, 2), data).status_code == 403
    assert stored(counting, 2)[2][1][3] == "low"

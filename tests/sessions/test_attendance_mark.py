"""Marking one delegate on the attendance screen (POST), with and without htmx."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Attendance, AuditEntry, SessionStatus
from tests.factories import make_delegate, make_ready_session, make_session

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(session, delegate):
    return f"/sessions/{session.pk}/attendance/{delegate.pk}/mark/"


def unmarked(session):
    return session.delegates.filter(attendance=Attendance.UNKNOWN).first()


def test_mark_present_without_javascript_redirects_back_with_the_search(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    delegate = unmarked(session)
    response = login(secretariat).post(
        url(session, delegate), {"status": "present", "q": "lê thị", "sort": "name"}
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/sessions/{session.pk}/attendance/?q=l%C3%AA+th%E1%BB%8B&sort=name"
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.PRESENT
    assert delegate.checked_in_at is not None
    entry = AuditEntry.objects.get(session=session, action="delegate.attendance")
    assert entry.user == secretariat
    assert entry.data["delegate_id"] == delegate.pk


def test_mark_without_javascript_comes_back_to_the_same_page(login, secretariat, org):
    session = make_ready_session(org, convened=120, present=28)
    delegate = session.delegates.get(order=77)
    client = login(secretariat)
    response = client.post(url(session, delegate), {"status": "present", "page": "2"})
    assert response["Location"] == f"/sessions/{session.pk}/attendance/?page=2"
    # The htmx answer: the row and the counter (one count query), whatever the list's length.
    small = make_ready_session(org, convened=5, present=2)
    queries = {}
    for one in (small.delegates.get(order=4), session.delegates.get(order=99)):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url(one.session, one), {"status": "present"}, **HTMX)
        queries[one.session.pk] = len(captured)
    assert queries[small.pk] == queries[session.pk], queries
    body = response.content.decode()
    assert "Present <strong>30/120</strong>" in body
    assert body.count('data-testid="delegate-row"') == 1


def test_redirect_without_search_goes_to_the_plain_screen(login, secretariat, session):
    delegate = make_delegate(session)
    response = login(secretariat).post(url(session, delegate), {"status": "present"})
    assert response["Location"] == f"/sessions/{session.pk}/attendance/"


def test_message_after_mark_without_javascript(login, secretariat, session):
    delegate = make_delegate(session, full_name="Đỗ Thị Hằng")
    response = login(secretariat).post(url(session, delegate), {"status": "present"}, follow=True)
    assert "Đỗ Thị Hằng: present." in response.content.decode()


def test_htmx_mark_returns_the_row_and_the_counter_out_of_band(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=20)
    delegate = unmarked(session)
    response = login(secretariat).post(url(session, delegate), {"status": "present"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    row = re.search(r'<tr[^>]*data-testid="delegate-row"[^>]*>', body).group(0)
    assert f'data-delegate-id="{delegate.pk}"' in row
    assert 'data-attendance="present"' in row
    assert " hidden" not in row
    assert 'hx-swap-oob="true"' in body
    assert "<template>" in body  # out-of-band content next to a <tr> must be wrapped
    assert "21/31" in body
    assert 'data-quorum-met="true"' in body
    assert "Quorum met (at least 21 of 31)" in body
    # The row's button now undoes the check-in.
    assert 'name="status" value="unknown"' in body
    assert 'aria-pressed="true"' in body


def test_toggle_back_to_unknown(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=21)
    delegate = session.delegates.filter(attendance=Attendance.PRESENT).first()
    body = (
        login(secretariat)
        .post(url(session, delegate), {"status": "unknown"}, **HTMX)
        .content.decode()
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert delegate.checked_in_at is None
    assert "20/31" in body
    assert "Quorum not met: 1 more needed" in body


def test_mark_absent_with_reason(login, secretariat, session):
    delegate = make_delegate(session)
    response = login(secretariat).post(
        url(session, delegate), {"status": "absent", "reason": "  Đi  công tác "}, **HTMX
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.ABSENT
    assert delegate.absence_reason == "Đi công tác"
    assert "Đi công tác" in response.content.decode()


def test_bad_status_is_refused_and_nothing_changes(login, secretariat, session):
    delegate = make_delegate(session)
    response = login(secretariat).post(url(session, delegate), {"status": "maybe"}, follow=True)
    assert "Choose present, absent or not recorded." in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert not AuditEntry.objects.filter(action="delegate.attendance").exists()


def test_too_long_reason_is_refused(login, secretariat, session):
    delegate = make_delegate(session)
    response = login(secretariat).post(
        url(session, delegate), {"status": "absent", "reason": "x" * 301}, follow=True
    )
    assert "Reason for absence: Ensure this value has at most 300 characters" in (
        response.content.decode()
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert delegate.absence_reason == ""


def test_locked_session_is_refused(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    session.status = SessionStatus.VOTING
    session.save()
    delegate = unmarked(session)
    response = login(secretariat).post(url(session, delegate), {"status": "present"}, follow=True)
    assert "the lists are locked" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN


def test_locked_session_with_htmx_shows_the_error_in_the_row(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    session.status = SessionStatus.VOTING
    session.save()
    delegate = unmarked(session)
    response = login(secretariat).post(url(session, delegate), {"status": "present"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="row-error"' in body
    assert "the lists are locked" in body
    assert 'data-testid="mark-present"' not in body  # the row comes back read-only
    assert "28/31" in body
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN


def test_delegate_of_another_session_is_404(login, secretariat, org, session):
    other = make_session(org)
    stranger = make_delegate(other)
    response = login(secretariat).post(url(session, stranger), {"status": "present"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.attendance == Attendance.UNKNOWN


def test_get_is_not_allowed(login, secretariat, session):
    delegate = make_delegate(session)
    assert login(secretariat).get(url(session, delegate)).status_code == 405


def test_anonymous_is_sent_to_login(login, session):
    delegate = make_delegate(session)
    response = login(None).post(url(session, delegate), {"status": "present"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN


def test_outsider_gets_404(login, outsider, session):
    delegate = make_delegate(session)
    assert login(outsider).post(url(session, delegate), {"status": "present"}).status_code == 404


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(login, persona, session):
    delegate = make_delegate(session)
    response = login(persona).post(url(session, delegate), {"status": "present"})
    assert response.status_code == 403
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN

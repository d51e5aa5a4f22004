"""Login sessions load their account in the same query (confidence_vote/login_sessions.py), and
Django's checks of a logged-in session still decide who is logged in."""

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from confidence_vote import login_sessions
from confidence_vote.login_sessions import SessionAccountBackend
from confidence_vote.models import LoginSession
from tests.factories import make_user

PAGE = "/sessions/"


def _row(client) -> LoginSession:
    return LoginSession.objects.get(session_key=client.cookies["sessionid"].value)


def test_the_session_row_names_its_account_and_the_backend_is_ours(login, secretariat):
    client = login(secretariat)
    row = _row(client)
    assert row.user_id == secretariat.pk
    data = row.get_decoded()
    assert data[SESSION_KEY] == str(secretariat.pk)
    assert data[BACKEND_SESSION_KEY] == "confidence_vote.login_sessions.SessionAccountBackend"


def test_one_query_loads_the_session_and_its_account(login, secretariat):
    client = login(secretariat)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["user"] == secretariat
    sqls = [query["sql"] for query in captured.captured_queries]
    assert "confidence_vote_loginsession" in sqls[0] and "auth_user" in sqls[0]
    assert not any(sql.startswith('SELECT "auth_user"') for sql in sqls), sqls


def test_a_password_changed_elsewhere_ends_the_session(login, secretariat):
    """Django's check of the session's password hash is still made."""
    client = login(secretariat)
    assert client.get(PAGE).status_code == 200
    secretariat.set_password("mot-mat-khau-khac-hẳn-2026")
    secretariat.save()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_account_made_inactive_is_logged_out(login, secretariat):
    client = login(secretariat)
    assert client.get(PAGE).status_code == 200
    type(secretariat).objects.filter(pk=secretariat.pk).update(is_active=False)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_column_is_a_hint_the_session_data_decides(login, secretariat, org):
    """A row whose column names another account (it cannot be written so, but say it were)
    gives the account the session's data names, looked up the usual way."""
    other = make_user("nguoi-khac", organization=org)
    client = login(secretariat)
    LoginSession.objects.filter(pk=_row(client).pk).update(user=other)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["user"] == secretariat
    assert any(query["sql"].startswith('SELECT "auth_user"') for query in captured)


def test_an_expired_session_is_not_loaded(login, secretariat):
    from datetime import timedelta

    from django.utils import timezone

    client = login(secretariat)
    LoginSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(PAGE)
    assert response.status_code == 302


def test_outside_a_request_the_backend_looks_the_account_up(secretariat):
    assert login_sessions._request_session.get() is None
    assert SessionAccountBackend().get_user(secretariat.pk) == secretariat


def test_the_request_session_is_forgotten_after_the_request(login, secretariat):
    client = login(secretariat)
    client.get(PAGE)
    assert login_sessions._request_session.get() is None


def test_logging_out_deletes_the_row(login, secretariat):
    client = login(secretariat)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not LoginSession.objects.filter(session_key=key).exists()

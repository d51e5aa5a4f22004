"""A session ends SESSION_IDLE_MINUTES (30) after the last request, not 14 days after login."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from confidence_vote.middleware import TOUCHED_KEY
from confidence_vote.models import LoginSession as Session
from tests.factories import PASSWORD


def the_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_new_session_lasts_the_idle_time(db, secretariat):
    client = Client()
    response = client.post("/accounts/login/", {"username": "van-phong", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"]["max-age"] == 1800
    left = the_session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)


def test_a_request_pushes_the_end_back(login, secretariat):
    client = login(secretariat)
    client.get("/sessions/")
    # As if the last request had been 20 minutes ago.
    stored = the_session(client)
    data = stored.get_decoded()
    data[TOUCHED_KEY] -= 20 * 60
    Session.objects.filter(pk=stored.pk).update(
        session_data=Session.objects.encode(data),
        expire_date=timezone.now() + dt.timedelta(minutes=10),
    )

    assert client.get("/sessions/").status_code == 200

    left = the_session(client).expire_date - timezone.now()
    assert left > dt.timedelta(minutes=29)


def test_requests_close_together_do_not_write_the_session(login, secretariat):
    client = login(secretariat)
    client.get("/sessions/")
    first = the_session(client).expire_date
    client.get("/sessions/")
    assert the_session(client).expire_date == first


def test_an_idle_session_has_ended(login, secretariat):
    client = login(secretariat)
    client.get("/sessions/")
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/sessions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_idle_time_is_a_setting(login, secretariat, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    client = login(secretariat)
    client.get("/sessions/")
    left = the_session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=4) < left <= dt.timedelta(minutes=5)

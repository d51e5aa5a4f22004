"""Removing an official: POST only; the rest of the ballot is renumbered 1..n."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry, Official
from tests.factories import make_delegate, make_official, make_session


def url(official):
    return reverse("vote_sessions:official_delete", args=[official.session_id, official.pk])


@pytest.fixture
def officials(session):
    return [make_official(session, full_name=f"Cán Bộ {i}") for i in range(1, 5)]


def test_delete_renumbers(session, officials, secretariat, login):
    response = login(secretariat).post(url(officials[1]), follow=True)
    assert response.redirect_chain == [(reverse("vote_sessions:officials", args=[session.pk]), 302)]
    assert list(session.officials.values_list("full_name", "order")) == [
        ("Cán Bộ 1", 1),
        ("Cán Bộ 3", 2),
        ("Cán Bộ 4", 3),
    ]
    assert "Cán Bộ 2 was removed from the ballot" in response.content.decode()
    entry = AuditEntry.objects.get(action="official.delete")
    assert entry.data["full_name"] == "Cán Bộ 2"
    assert entry.data["order"] == 2


def test_delete_keeps_the_delegate(session, secretariat, login):
    delegate = make_delegate(session)
    official = make_official(session, delegate=delegate)
    login(secretariat).post(url(official))
    assert not Official.objects.exists()
    assert session.delegates.get() == delegate


def test_get_is_not_allowed(officials, secretariat, login):
    assert login(secretariat).get(url(officials[0])).status_code == 405
    assert Official.objects.count() == 4


def test_anonymous_is_sent_to_login(officials, login):
    response = login(None).post(url(officials[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Official.objects.count() == 4


def test_outsider_gets_404(officials, outsider, login):
    assert login(outsider).post(url(officials[0])).status_code == 404
    assert Official.objects.count() == 4


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(officials, persona, login):
    assert login(persona).post(url(officials[0])).status_code == 403
    assert Official.objects.count() == 4


def test_locked_session_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    official = make_official(session)
    response = login(secretariat).post(url(official), follow=True)
    assert "Unlock them first, with a reason." in response.content.decode()
    assert session.officials.count() == 1
    assert not AuditEntry.objects.exists()

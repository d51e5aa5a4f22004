"""Removing a delegate: POST only; the rest are renumbered; links are let go, names kept."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry, CommitteeMember, Delegate, Official
from tests.factories import make_committee_member, make_delegate, make_official, make_session


def url(delegate):
    return reverse("vote_sessions:delegate_delete", args=[delegate.session_id, delegate.pk])


@pytest.fixture
def delegates(session):
    return [make_delegate(session, full_name=f"Đại Biểu {i}") for i in range(1, 5)]


def test_delete_renumbers(session, delegates, secretariat, login):
    response = login(secretariat).post(url(delegates[0]), follow=True)
    assert response.redirect_chain == [(reverse("vote_sessions:delegates", args=[session.pk]), 302)]
    assert list(session.delegates.values_list("full_name", "order")) == [
        ("Đại Biểu 2", 1),
        ("Đại Biểu 3", 2),
        ("Đại Biểu 4", 3),
    ]
    assert "Đại Biểu 1 was removed from the delegates" in response.content.decode()
    assert AuditEntry.objects.get(action="delegate.delete").data["full_name"] == "Đại Biểu 1"


def test_delete_unlinks_official_and_keeps_committee_member(session, delegates, secretariat, login):
    official = make_official(session, full_name="Đại Biểu 2", delegate=delegates[1])
    member = make_committee_member(session, full_name="Đại Biểu 2", delegate=delegates[1])
    page = login(secretariat).get(reverse("vote_sessions:delegates", args=[session.pk]))
    assert "the official stays, but is no longer linked to a delegate record" in (
        page.content.decode()
    )
    login(secretariat).post(url(delegates[1]))
    official.refresh_from_db()
    member.refresh_from_db()
    assert official.delegate is None
    assert Official.objects.count() == 1
    assert (member.full_name, member.delegate) == ("Đại Biểu 2", None)
    assert CommitteeMember.objects.count() == 1
    entry = AuditEntry.objects.get(action="delegate.delete")
    assert entry.data["unlinked_official"] == "Đại Biểu 2"
    assert entry.data["committee_member"] == ["Đại Biểu 2"]


def test_get_is_not_allowed(delegates, secretariat, login):
    assert login(secretariat).get(url(delegates[0])).status_code == 405
    assert Delegate.objects.count() == 4


def test_anonymous_is_sent_to_login(delegates, login):
    response = login(None).post(url(delegates[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Delegate.objects.count() == 4


def test_outsider_gets_404(delegates, outsider, login):
    assert login(outsider).post(url(delegates[0])).status_code == 404
    assert Delegate.objects.count() == 4


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(delegates, persona, login):
    assert login(persona).post(url(delegates[0])).status_code == 403
    assert Delegate.objects.count() == 4


def test_locked_session_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    delegate = make_delegate(session)
    response = login(secretariat).post(url(delegate), follow=True)
    assert "Unlock them first, with a reason." in response.content.decode()
    assert session.delegates.count() == 1
    assert not AuditEntry.objects.exists()

"""Moving an official up or down the ballot: a swap that never breaks (session, order)."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry
from tests.factories import make_official, make_session


def url(official):
    return reverse("vote_sessions:official_move", args=[official.session_id, official.pk])


@pytest.fixture
def officials(session):
    return [make_official(session, full_name=f"Cán Bộ {i}") for i in range(1, 4)]


def names(session):
    return list(session.officials.order_by("order").values_list("full_name", flat=True))


def test_move_up(session, officials, secretariat, login):
    response = login(secretariat).post(url(officials[2]), {"direction": "up"})
    assert response.status_code == 302
    assert response.url == (
        reverse("vote_sessions:officials", args=[session.pk]) + f"?focus={officials[2].pk}-up"
    )
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 3", "Cán Bộ 2"]
    assert list(session.officials.values_list("order", flat=True)) == [1, 2, 3]
    entry = AuditEntry.objects.get(action="official.reorder")
    assert entry.data["order"] == [3, 2]
    assert entry.data["swapped_with"] == "Cán Bộ 2"


def test_move_down_and_keep_focus(session, officials, secretariat, login):
    client = login(secretariat)
    response = client.post(url(officials[0]), {"direction": "down"}, follow=True)
    assert names(session) == ["Cán Bộ 2", "Cán Bộ 1", "Cán Bộ 3"]
    moved = next(o for o in response.context["officials"] if o.pk == officials[0].pk)
    assert moved.focus_down and not moved.focus_up
    # The add form gives up its autofocus so the pressed button keeps it.
    assert "autofocus" not in response.context["form"].fields["full_name"].widget.attrs


def test_first_cannot_move_up(session, officials, secretariat, login):
    response = login(secretariat).post(url(officials[0]), {"direction": "up"}, follow=True)
    assert "Cán Bộ 1 is already first." in response.content.decode()
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 2", "Cán Bộ 3"]
    assert not AuditEntry.objects.exists()


def test_bad_direction_is_refused(session, officials, secretariat, login):
    response = login(secretariat).post(url(officials[1]), {"direction": "sideways"}, follow=True)
    assert "Move an official up or down." in response.content.decode()
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 2", "Cán Bộ 3"]


def test_get_is_not_allowed(officials, secretariat, login):
    assert login(secretariat).get(url(officials[1])).status_code == 405


def test_anonymous_is_sent_to_login(session, officials, login):
    response = login(None).post(url(officials[1]), {"direction": "up"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 2", "Cán Bộ 3"]


def test_outsider_gets_404(session, officials, outsider, login):
    assert login(outsider).post(url(officials[1]), {"direction": "up"}).status_code == 404
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 2", "Cán Bộ 3"]


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(session, officials, persona, login):
    assert login(persona).post(url(officials[1]), {"direction": "up"}).status_code == 403
    assert names(session) == ["Cán Bộ 1", "Cán Bộ 2", "Cán Bộ 3"]


def test_locked_session_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    first, second = make_official(session), make_official(session)
    response = login(secretariat).post(url(second), {"direction": "up"}, follow=True)
    assert "Unlock them first, with a reason." in response.content.decode()
    assert list(session.officials.values_list("pk", flat=True)) == [first.pk, second.pk]

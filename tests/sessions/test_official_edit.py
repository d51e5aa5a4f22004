"""Editing an official: name, position, delegate record (the dossier: test_official_dossier.py)."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry
from tests.factories import make_delegate, make_official, make_session


def url(official):
    return reverse("vote_sessions:official_edit", args=[official.session_id, official.pk])


@pytest.fixture
def official(session):
    return make_official(session, full_name="Nguyễn Văn Trưởng", position="Viện trưởng")


def test_get_shows_the_form(official, secretariat, login):
    response = login(secretariat).get(url(official))
    assert response.status_code == 200
    assert response.context["form"]["full_name"].value() == "Nguyễn Văn Trưởng"
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_edit_name_position_and_link(session, official, secretariat, login):
    linked = make_delegate(session, full_name="Đại Biểu Đã Gắn")
    make_official(session, delegate=linked)
    free = make_delegate(session, full_name="Nguyễn Văn Trưởng")
    client = login(secretariat)
    offered = list(client.get(url(official)).context["form"].fields["delegate"].queryset)
    assert offered == [free]
    response = client.post(
        url(official),
        {"full_name": "Nguyễn  Văn Trưởng ", "position": "Viện trưởng VKSND", "delegate": free.pk},
    )
    assert response.status_code == 302
    assert response.url == reverse("vote_sessions:officials", args=[session.pk])
    official.refresh_from_db()
    assert official.full_name == "Nguyễn Văn Trưởng"
    assert official.position == "Viện trưởng VKSND"
    assert official.delegate == free
    entry = AuditEntry.objects.get(action="official.update")
    assert entry.data["position"] == ["Viện trưởng", "Viện trưởng VKSND"]
    assert entry.data["delegate_id"] == [None, free.pk]
    assert "full_name" not in entry.data


def test_unlink_delegate(session, secretariat, login):
    delegate = make_delegate(session)
    official = make_official(session, delegate=delegate)
    response = login(secretariat).post(
        url(official), {"full_name": official.full_name, "position": official.position}
    )
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.delegate is None


def test_empty_name_is_refused(official, secretariat, login):
    response = login(secretariat).post(url(official), {"full_name": "  ", "position": "Phó"})
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    # The page still shows the stored name, not the rejected input.
    assert response.context["official"].full_name == "Nguyễn Văn Trưởng"
    official.refresh_from_db()
    assert (official.full_name, official.position) == ("Nguyễn Văn Trưởng", "Viện trưởng")
    assert not AuditEntry.objects.exists()


def test_duplicate_of_another_official_is_refused(session, official, secretariat, login):
    other = make_official(session, full_name="Trần Thị Phó", position="Phó Viện trưởng")
    response = login(secretariat).post(
        url(other), {"full_name": "Nguyễn Văn Trưởng", "position": "viện trưởng"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == [
        "Nguyễn Văn Trưởng (Viện trưởng) is already on the ballot, as no. 1."
    ]
    other.refresh_from_db()
    assert other.full_name == "Trần Thị Phó"


def test_locked_session_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    official = make_official(session, full_name="Nguyễn Văn Trưởng")
    client = login(secretariat)
    page = client.get(url(official))
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    response = client.post(url(official), {"full_name": "Tên Mới", "position": "Phó"})
    assert response.status_code == 200
    assert "Unlock them first, with a reason." in response.content.decode()
    official.refresh_from_db()
    assert official.full_name == "Nguyễn Văn Trưởng"


def test_anonymous_is_sent_to_login(official, login):
    response = login(None).get(url(official))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(official, outsider, login):
    assert login(outsider).get(url(official)).status_code == 404


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(official, persona, login):
    client = login(persona)
    assert client.get(url(official)).status_code == 403
    assert client.post(url(official), {"full_name": "X", "position": "Y"}).status_code == 403
    official.refresh_from_db()
    assert official.full_name == "Nguyễn Văn Trưởng"


def test_official_of_another_session_is_404(org, official, secretariat, login):
    other_session = make_session(org)
    wrong = reverse("vote_sessions:official_edit", args=[other_session.pk, official.pk])
    assert login(secretariat).get(wrong).status_code == 404

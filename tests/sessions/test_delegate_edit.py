"""Editing a delegate's name, position, unit and group."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry
from tests.factories import make_committee_member, make_delegate, make_official, make_session


def url(delegate):
    return reverse("vote_sessions:delegate_edit", args=[delegate.session_id, delegate.pk])


@pytest.fixture
def delegate(session):
    return make_delegate(
        session, full_name="Đỗ Thị Hằng", position="Trưởng phòng", unit="Phòng 7", group=""
    )


def test_get_shows_the_form_and_delete_explanation(session, delegate, secretariat, login):
    make_official(session, full_name="Đỗ Thị Hằng", position="Phó Viện trưởng", delegate=delegate)
    make_committee_member(session, full_name="Đỗ Thị Hằng", delegate=delegate)
    response = login(secretariat).get(url(delegate))
    assert response.status_code == 200
    assert response.context["form"]["unit"].value() == "Phòng 7"
    html = response.content.decode()
    assert "They are also official no. 1 (Đỗ Thị Hằng) on the ballot" in html
    assert "They are on the counting committee: they stay on it, under their name." in html


def test_edit(session, delegate, secretariat, login):
    response = login(secretariat).post(
        url(delegate),
        {
            "full_name": "Đỗ Thị  Hằng",
            "position": "Phó Chánh Văn phòng",
            "unit": " Văn phòng ",
            "group": "Lãnh đạo",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("vote_sessions:delegates", args=[session.pk])
    delegate.refresh_from_db()
    assert (delegate.full_name, delegate.position, delegate.unit, delegate.group) == (
        "Đỗ Thị Hằng",
        "Phó Chánh Văn phòng",
        "Văn phòng",
        "Lãnh đạo",
    )
    entry = AuditEntry.objects.get(action="delegate.update")
    assert entry.data["unit"] == ["Phòng 7", "Văn phòng"]
    assert "full_name" not in entry.data


def test_edit_into_a_duplicate_is_refused(session, delegate, secretariat, login):
    other = make_delegate(session, full_name="Lê Văn Bình", position="Trưởng phòng", unit="Phòng 7")
    response = login(secretariat).post(
        url(other), {"full_name": "ĐỖ THỊ HẰNG", "position": "Trưởng phòng", "unit": "phòng 7"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == [
        "Đỗ Thị Hằng is already on the list, as no. 1 (Trưởng phòng, Phòng 7)."
    ]
    assert response.context["delegate"].full_name == "Lê Văn Bình"
    other.refresh_from_db()
    assert other.full_name == "Lê Văn Bình"
    assert not AuditEntry.objects.exists()


def test_empty_name_is_refused(delegate, secretariat, login):
    response = login(secretariat).post(url(delegate), {"full_name": "", "position": "X"})
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    delegate.refresh_from_db()
    assert delegate.full_name == "Đỗ Thị Hằng"


def test_locked_session_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    delegate = make_delegate(session, full_name="Đỗ Thị Hằng")
    client = login(secretariat)
    page = client.get(url(delegate)).content.decode()
    assert "<fieldset disabled>" in page
    assert "Remove this delegate" not in page
    response = client.post(url(delegate), {"full_name": "Tên Mới"})
    assert "Unlock them first, with a reason." in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.full_name == "Đỗ Thị Hằng"


def test_anonymous_is_sent_to_login(delegate, login):
    response = login(None).get(url(delegate))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(delegate, outsider, login):
    assert login(outsider).get(url(delegate)).status_code == 404
    assert login(outsider).post(url(delegate), {"full_name": "X"}).status_code == 404


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(delegate, persona, login):
    client = login(persona)
    assert client.get(url(delegate)).status_code == 403
    assert client.post(url(delegate), {"full_name": "X"}).status_code == 403
    delegate.refresh_from_db()
    assert delegate.full_name == "Đỗ Thị Hằng"


def test_delegate_of_another_session_is_404(org, delegate, secretariat, login):
    other = make_session(org)
    wrong = reverse("vote_sessions:delegate_edit", args=[other.pk, delegate.pk])
    assert login(secretariat).get(wrong).status_code == 404

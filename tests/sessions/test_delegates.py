"""The delegates page: the convened voters, a client-side search, and the add form."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry, Delegate
from tests.factories import (
    make_committee_member,
    make_delegate,
    make_delegates,
    make_official,
    make_session,
)


def url(session):
    return reverse("vote_sessions:delegates", args=[session.pk])


def test_list_shows_the_columns_and_count(session, secretariat, login):
    make_delegate(
        session,
        full_name="Đỗ Thị Hằng",
        position="Trưởng phòng",
        unit="Phòng 7",
        group="Trưởng các phòng",
        attendance="absent",
        absence_reason="Đi công tác",
    )
    make_delegates(session, convened=2, present=2)
    response = login(secretariat).get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 delegates convened" in html
    for text in ("Đỗ Thị Hằng", "Trưởng phòng", "Phòng 7", "Trưởng các phòng", "Absent", "Present"):
        assert text in html
    # Rows carry folded text for the search box.
    assert 'data-search="do thi hang truong phong phong 7 truong cac phong"' in html
    assert 'id="delegate-search"' in html
    assert 'data-testid="delegate-add-form"' in html


def test_list_queries_do_not_grow(session, secretariat, login, django_assert_max_num_queries):
    client = login(secretariat)
    delegates = make_delegates(session, convened=20, present=10)
    for delegate in delegates[:5]:
        make_official(session, delegate=delegate)
    make_committee_member(session, delegate=delegates[6])
    with django_assert_max_num_queries(6):
        response = client.get(url(session))
    rows = response.context["delegates"]
    assert len(rows) == 20
    assert rows[0].linked_official.full_name == "Trần Văn Cán 1"
    assert rows[6].committee_count == 1
    assert "Official no. 1" in response.content.decode()


def test_empty_state(session, secretariat, login):
    html = login(secretariat).get(url(session)).content.decode()
    assert 'data-testid="empty-delegates"' in html
    assert 'href="#id_full_name"' in html
    assert "0 delegates convened" in html


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_see_the_list_without_forms(session, persona, login):
    make_delegate(session, full_name="Đỗ Thị Hằng")
    response = login(persona).get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đỗ Thị Hằng" in html
    assert 'data-testid="delegate-add-form"' not in html
    assert "/delete/" not in html and "/edit/" not in html


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_cannot_add(session, persona, login):
    assert login(persona).post(url(session), {"full_name": "Lê Văn A"}).status_code == 403
    assert not Delegate.objects.exists()


def test_anonymous_is_sent_to_login(session, login):
    response = login(None).get(url(session))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(session, outsider, login):
    assert login(outsider).get(url(session)).status_code == 404
    assert login(outsider).post(url(session), {"full_name": "Lê Văn A"}).status_code == 404
    assert not Delegate.objects.exists()


def test_add_delegate(session, secretariat, login):
    make_delegates(session, convened=2, present=0)
    response = login(secretariat).post(
        url(session),
        {
            "full_name": " Đỗ  Thị Hằng",
            "position": "Chánh Văn phòng",
            "unit": "Văn phòng",
            "group": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(url(session), 302)]
    delegate = Delegate.objects.get(full_name="Đỗ Thị Hằng")
    assert delegate.order == 3
    assert (delegate.position, delegate.unit, delegate.group) == (
        "Chánh Văn phòng",
        "Văn phòng",
        "",
    )
    assert delegate.attendance == "unknown"
    assert "Đỗ Thị Hằng was added as no. 3." in response.content.decode()
    entry = AuditEntry.objects.get(action="delegate.create")
    assert entry.data["full_name"] == "Đỗ Thị Hằng" and entry.data["order"] == 3


def test_add_without_name_is_refused(session, secretariat, login):
    response = login(secretariat).post(url(session), {"full_name": "   ", "position": "Phó"})
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert not Delegate.objects.exists()


def test_listed_twice_names_the_existing_one(session, secretariat, login):
    make_delegate(session, full_name="Đỗ Thị Hằng", position="Trưởng phòng", unit="Phòng 7")
    response = login(secretariat).post(
        url(session),
        {"full_name": "đỗ thị  HẰNG", "position": "trưởng phòng", "unit": "Phòng 7"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == [
        "Đỗ Thị Hằng is already on the list, as no. 1 (Trưởng phòng, Phòng 7)."
    ]
    assert session.delegates.count() == 1


def test_same_name_other_unit_is_accepted(session, secretariat, login):
    make_delegate(session, full_name="Đỗ Thị Hằng", position="Trưởng phòng", unit="Phòng 7")
    response = login(secretariat).post(
        url(session), {"full_name": "Đỗ Thị Hằng", "position": "Trưởng phòng", "unit": "Phòng 8"}
    )
    assert response.status_code == 302
    assert session.delegates.count() == 2


def test_locked_session_hides_the_form_and_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    client = login(secretariat)
    assert 'data-testid="delegate-add-form"' not in client.get(url(session)).content.decode()
    response = client.post(url(session), {"full_name": "Lê Văn A"})
    assert response.status_code == 200
    assert "Unlock them first, with a reason." in response.content.decode()
    assert not Delegate.objects.exists()

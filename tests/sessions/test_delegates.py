"""The delegates page: the convened voters 50 a page, a server-side search, and the add form."""

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
    assert 'id="delegate-search"' in html and 'name="q"' in html
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
    assert rows[6].on_committee and not rows[5].on_committee
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


def names(response) -> list[str]:
    return [delegate.full_name for delegate in response.context["delegates"]]


def test_search_ignores_accents_and_case_and_keeps_the_total(session, secretariat, login):
    make_delegate(session, full_name="Nguyễn Văn An", unit="Sở Tài chính")
    make_delegate(session, full_name="Nguyễn Văn Bình", unit="Sở Xây dựng")
    make_delegate(session, full_name="Trần Thị Nguyệt", unit="Sở Tài chính")
    client = login(secretariat)
    response = client.get(url(session), {"q": "nguyen van"})
    assert names(response) == ["Nguyễn Văn An", "Nguyễn Văn Bình"]
    html = response.content.decode()
    assert "3 delegates convened" in html and "2 delegates found" in html
    assert 'value="nguyen van"' in html and 'data-testid="delegate-search-clear"' in html
    assert names(client.get(url(session), {"q": "TÀI CHÍNH"})) == [
        "Nguyễn Văn An",
        "Trần Thị Nguyệt",
    ]
    assert names(client.get(url(session), {"q": "nguyệt"})) == ["Trần Thị Nguyệt"]
    response = client.get(url(session), {"q": "xyz"})
    assert names(response) == []
    assert 'data-testid="delegate-search-none"' in response.content.decode()


def test_fifty_a_page_and_the_search_kept_in_the_page_links(
    session, secretariat, login, django_assert_max_num_queries
):
    make_delegates(session, convened=130, present=0)
    client = login(secretariat)
    client.get(url(session))
    with django_assert_max_num_queries(6):
        response = client.get(url(session))
    assert len(response.context["delegates"]) == 50
    html = response.content.decode()
    assert "130 delegates convened" in html and "Page 1 of 3 (1–50 of 130)" in html
    assert 'accesskey="n"' in html
    response = client.get(url(session), {"page": 3})
    assert [d.order for d in response.context["delegates"]] == list(range(101, 131))
    with django_assert_max_num_queries(7):  # and the total, as the list is searched
        response = client.get(url(session), {"q": "đại biểu"})
    html = response.content.decode()
    assert "Page 1 of 3" in html and "?q=%C4%91%E1%BA%A1i+bi%E1%BB%83u&amp;page=2" in html


def test_a_new_delegate_is_found_by_the_search(session, secretariat, login):
    client = login(secretariat)
    client.post(url(session), {"full_name": "Đỗ Thị Hằng", "unit": "Văn phòng"})
    assert names(client.get(url(session), {"q": "do thi hang van phong"})) == ["Đỗ Thị Hằng"]
    delegate = Delegate.objects.get()
    client.post(
        reverse("vote_sessions:delegate_edit", args=[session.pk, delegate.pk]),
        {"full_name": "Đỗ Thị Hương", "unit": "Văn phòng"},
    )
    assert names(client.get(url(session), {"q": "huong"})) == ["Đỗ Thị Hương"]
    assert names(client.get(url(session), {"q": "hang"})) == []


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_can_search_and_page(session, persona, login):
    make_delegates(session, convened=60, present=0)
    client = login(persona)
    assert len(client.get(url(session), {"page": 2}).context["delegates"]) == 10
    response = client.get(url(session), {"q": "biểu 60"})
    assert names(response) == ["Lê Thị Đại Biểu 60"]
    assert "/edit/" not in response.content.decode()


def test_outsider_cannot_search(session, outsider, login):
    make_delegate(session, full_name="Đỗ Thị Hằng")
    assert login(outsider).get(url(session), {"q": "hang"}).status_code == 404

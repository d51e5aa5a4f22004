"""The officials page: the ballot in order, and the add form on the same page."""

import pytest
from django.urls import reverse

from sessions.models import AuditEntry, Official
from tests.factories import make_delegate, make_official, make_session


def url(session):
    return reverse("vote_sessions:officials", args=[session.pk])


def test_list_in_ballot_order(session, secretariat, login):
    make_official(session, full_name="Nguyễn Văn Trưởng", position="Viện trưởng", order=2)
    make_official(session, full_name="Trần Thị Phó", position="Phó Viện trưởng", order=1)
    response = login(secretariat).get(url(session))
    assert response.status_code == 200
    assert [o.full_name for o in response.context["officials"]] == [
        "Trần Thị Phó",
        "Nguyễn Văn Trưởng",
    ]
    html = response.content.decode()
    assert html.index("Trần Thị Phó") < html.index("Nguyễn Văn Trưởng")
    assert "2 officials on the ballot" in html
    assert 'data-testid="official-add-form"' in html
    # The add form's first field takes the focus; the move buttons are real buttons.
    assert 'name="full_name"' in html and "autofocus" in html
    assert 'name="direction" value="up"' in html


def test_list_queries_do_not_grow_with_officials(
    session, secretariat, login, django_assert_max_num_queries
):
    client = login(secretariat)
    for i in range(12):
        delegate = make_delegate(session)
        make_official(session, delegate=delegate if i % 2 else None)
    with django_assert_max_num_queries(7):
        response = client.get(url(session))
    assert len(response.context["officials"]) == 12


def test_empty_state_points_to_the_add_form(session, secretariat, login):
    response = login(secretariat).get(url(session))
    html = response.content.decode()
    assert 'data-testid="empty-officials"' in html
    assert 'href="#id_full_name"' in html


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_see_the_list_without_forms(session, persona, login):
    make_official(session, full_name="Nguyễn Văn Trưởng")
    response = login(persona).get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn Trưởng" in html
    assert 'data-testid="official-add-form"' not in html
    assert "official_move" not in html and "/move/" not in html
    assert "/delete/" not in html


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_cannot_add(session, persona, login):
    response = login(persona).post(url(session), {"full_name": "Lê Văn A", "position": "Phó"})
    assert response.status_code == 403
    assert not Official.objects.exists()


def test_anonymous_is_sent_to_login(session, login):
    response = login(None).get(url(session))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outsider_gets_404(session, outsider, login):
    assert login(outsider).get(url(session)).status_code == 404
    response = login(outsider).post(url(session), {"full_name": "Lê Văn A", "position": "Phó"})
    assert response.status_code == 404
    assert not Official.objects.exists()


def test_add_official(session, secretariat, login):
    make_official(session, full_name="Nguyễn Văn Trưởng", position="Viện trưởng")
    delegate = make_delegate(session, full_name="Trần  Thị   Phó")
    response = login(secretariat).post(
        url(session),
        {"full_name": "  Trần  Thị   Phó ", "position": "Phó Viện trưởng", "delegate": delegate.pk},
        follow=True,
    )
    assert response.redirect_chain == [(url(session), 302)]
    official = Official.objects.get(full_name="Trần Thị Phó")
    assert official.order == 2
    assert official.position == "Phó Viện trưởng"
    assert official.delegate == delegate
    assert "Trần Thị Phó was added to the ballot as no. 2." in response.content.decode()
    entry = AuditEntry.objects.get(action="official.create")
    assert entry.user == secretariat
    assert entry.data["full_name"] == "Trần Thị Phó"
    assert entry.data["order"] == 2


def test_add_requires_name_and_position(session, secretariat, login):
    response = login(secretariat).post(url(session), {"full_name": "   ", "position": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "full_name" in form.errors and "position" in form.errors
    assert not Official.objects.exists()
    assert not AuditEntry.objects.exists()


def test_add_same_person_twice_is_refused(session, secretariat, login):
    make_official(session, full_name="Nguyễn Văn Trưởng", position="Viện trưởng")
    response = login(secretariat).post(
        url(session), {"full_name": "nguyễn văn  trưởng", "position": "VIỆN TRƯỞNG"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == [
        "Nguyễn Văn Trưởng (Viện trưởng) is already on the ballot, as no. 1."
    ]
    assert session.officials.count() == 1


def test_delegate_already_linked_is_not_offered(session, secretariat, login):
    delegate = make_delegate(session)
    make_official(session, delegate=delegate)
    free = make_delegate(session)
    response = login(secretariat).post(
        url(session), {"full_name": "Lê Văn Mới", "position": "Phó", "delegate": delegate.pk}
    )
    assert response.status_code == 200
    assert "delegate" in response.context["form"].errors
    assert list(response.context["form"].fields["delegate"].queryset) == [free]
    assert session.officials.count() == 1


def test_delegate_of_another_session_is_refused(session, org, secretariat, login):
    foreign = make_delegate(make_session(org))
    response = login(secretariat).post(
        url(session), {"full_name": "Lê Văn Mới", "position": "Phó", "delegate": foreign.pk}
    )
    assert response.status_code == 200
    assert "delegate" in response.context["form"].errors
    assert not session.officials.exists()


def test_locked_session_hides_the_form_and_refuses(org, secretariat, login):
    session = make_session(org, status="voting")
    client = login(secretariat)
    html = client.get(url(session)).content.decode()
    assert 'data-testid="official-add-form"' not in html
    response = client.post(url(session), {"full_name": "Lê Văn A", "position": "Phó"})
    assert response.status_code == 200
    assert (
        "Voting has started: the lists are locked. Unlock them first, with a reason."
        in response.content.decode()
    )
    assert not Official.objects.exists()


def test_put_is_not_allowed(session, secretariat, login):
    assert login(secretariat).put(url(session)).status_code == 405

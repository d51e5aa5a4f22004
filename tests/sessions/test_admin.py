"""Superusers give users their roles in the Django admin."""

import pytest
from django.contrib.auth import get_user_model

from sessions.models import Membership, Role
from tests.factories import PASSWORD


@pytest.fixture
def admin_client_(db, client):
    get_user_model().objects.create_superuser("quan-tri", password=PASSWORD)
    client.login(username="quan-tri", password=PASSWORD)
    return client


def test_user_page_has_memberships_inline(admin_client_, secretariat):
    response = admin_client_.get(f"/admin/auth/user/{secretariat.pk}/change/")
    assert response.status_code == 200
    assert "memberships-TOTAL_FORMS" in response.content.decode()


def test_superuser_gives_a_role(admin_client_, org):
    response = admin_client_.post(
        "/admin/auth/user/add/",
        {
            "username": "nguoi-moi",
            "password1": "Mat-khau-rat-dai-2023",
            "password2": "Mat-khau-rat-dai-2023",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organization": org.pk,
            "memberships-0-role": Role.LEADERSHIP,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user__username="nguoi-moi")
    assert (membership.organization, membership.role) == (org, Role.LEADERSHIP)


def test_sessions_are_read_only_in_the_admin(admin_client_, session):
    assert admin_client_.get("/admin/vote_sessions/votesession/").status_code == 200
    assert admin_client_.get("/admin/vote_sessions/votesession/add/").status_code == 403

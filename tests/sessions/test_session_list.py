from sessions.models import Role
from tests.factories import make_delegates, make_official, make_session, make_user


def test_lists_only_my_organizations_sessions(login, secretariat, session, other_org):
    make_session(other_org, title="Phiên của cơ quan khác")
    response = login(secretariat).get("/sessions/")
    assert response.status_code == 200
    assert session.title in response.content.decode()
    assert "Phiên của cơ quan khác" not in response.content.decode()


def test_shows_counts_without_n_plus_one(login, secretariat, org, django_assert_max_num_queries):
    for _ in range(8):
        s = make_session(org)
        make_official(s)
        make_delegates(s, convened=4, present=3)
    client = login(secretariat)
    with django_assert_max_num_queries(8):
        response = client.get("/sessions/")
    assert response.content.decode().count("3/4") == 8


def test_read_only_roles_see_sessions_without_create(login, counting_member, leader, session):
    for user in (counting_member, leader):
        response = login(user).get("/sessions/")
        assert response.status_code == 200
        assert session.title in response.content.decode()
        assert "/sessions/new/" not in response.content.decode()


def test_empty_state_invites_the_secretariat_to_create(login, secretariat):
    response = login(secretariat).get("/sessions/")
    assert 'data-testid="empty-sessions"' in response.content.decode()
    assert "/sessions/new/" in response.content.decode()


def test_user_without_any_role_sees_nothing(login, org, session):
    nobody = make_user("khong-vai-tro")
    response = login(nobody).get("/sessions/")
    assert response.status_code == 200
    assert session.title not in response.content.decode()


def test_anonymous_is_sent_to_login(login):
    response = login(None).get("/sessions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_vietnamese_is_the_default_language(login, secretariat):
    response = login(secretariat, lang="vi").get("/sessions/")
    assert 'lang="vi"' in response.content.decode()
    user_two = make_user("hai-to-chuc")
    assert Role.SECRETARIAT  # roles are plain choices
    assert user_two.memberships.count() == 0

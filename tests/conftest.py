"""Personas and data shared by the whole suite."""

import os

import pytest
from django.test import Client

from sessions.models import Role
from tests.factories import PASSWORD, make_organization, make_session, make_user

# Sync Playwright runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _static_files_as_they_are(settings):
    # Production (DEBUG=false) serves collected files with hashed names; tests render pages
    # without running collectstatic, so they link the files under static/ as they are.
    # tests/test_serve.py runs the real thing in gunicorn.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default PBKDF2 hasher costs ~0.3 s a login; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    return make_organization(
        name="Viện kiểm sát nhân dân tỉnh Quảng Ninh",
        issuing_body="Ban Cán sự Đảng VKSND tỉnh Quảng Ninh",
    )


@pytest.fixture
def other_org(db):
    return make_organization(name="Tòa án nhân dân tỉnh Khác")


@pytest.fixture
def secretariat(org):
    return make_user("van-phong", organization=org, roles=[Role.SECRETARIAT])


@pytest.fixture
def counting_member(org):
    return make_user("kiem-phieu", organization=org, roles=[Role.COUNTING])


@pytest.fixture
def leader(org):
    return make_user("lanh-dao", organization=org, roles=[Role.LEADERSHIP])


@pytest.fixture
def outsider(other_org):
    """A secretariat user of another organization: every session of `org` is 404 to them."""
    return make_user("nguoi-ngoai", organization=other_org, roles=[Role.SECRETARIAT])


@pytest.fixture
def session(org):
    return make_session(org)


@pytest.fixture
def login():
    """login(user, lang="en") -> a test Client logged in as that user (None: anonymous).

    Clients ask for English so tests can match messages by their source text;
    tests of the Vietnamese default pass lang="vi".
    """

    def _login(user, lang="en"):
        client = Client(headers={"accept-language": lang})
        if user is not None:
            assert client.login(username=user.get_username(), password=PASSWORD)
        return client

    return _login


@pytest.fixture
def persona(request, secretariat, counting_member, leader, outsider):
    """Indirect parametrization by persona name."""
    return {
        "secretariat": secretariat,
        "counting": counting_member,
        "leader": leader,
        "outsider": outsider,
        "anonymous": None,
    }[request.param]


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """A SoftHSM2 token with a signing key and its certificate (tests/softhsm.py)."""
    from tests.softhsm import make_token

    return make_token(tmp_path_factory.mktemp("softhsm"))


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(
        username="quan-tri", password=PASSWORD, email=""
    )

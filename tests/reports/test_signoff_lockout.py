"""The password re-entered to confirm a result counts like a login: five wrong ones lock the
account (here and on the login page) and the message says how long to wait."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from reports.models import Confirmation
from sessions.models import AuditEntry
from tests.ballots import make_chair_user
from tests.factories import PASSWORD
from tests.reports.test_certify_views import counted_session, messages_of, url


@pytest.fixture
def counted(org, counting_member, settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return counted_session(org, chair=make_chair_user(org), members=[counting_member])


def member_client(user, lang="en"):
    browser = Client(REMOTE_ADDR="10.8.8.8", headers={"accept-language": lang})
    assert browser.login(username=user.username, password=PASSWORD)
    return browser


def confirm(browser, session, password):
    return browser.post(url("signoff_confirm", session), {"password": password}, follow=True)


def test_wrong_sign_off_passwords_count_as_failed_logins(counting_member, counted):
    browser = member_client(counting_member)
    answers = [messages_of(confirm(browser, counted, f"sai-{n}")) for n in range(5)]

    assert answers[:4] == [["The password is not right."]] * 4
    assert answers[4][0].startswith("Too many wrong passwords")
    assert answers[4][0].endswith("Try again in 15 minutes.")
    assert AccessAttempt.objects.get(username=counting_member.username).failures_since_start == 5

    # Locked: the right password is refused too, and nothing is confirmed.
    response = confirm(browser, counted, PASSWORD)
    assert response.status_code == 200
    assert messages_of(response)[0].startswith("Too many wrong passwords")
    assert not Confirmation.objects.filter(session=counted).exists()
    assert not AuditEntry.objects.filter(session=counted, action="result.confirm").exists()

    # The same account cannot log in elsewhere either.
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    login = elsewhere.post(
        "/accounts/login/", {"username": counting_member.username, "password": PASSWORD}
    )
    assert login.status_code == 429


def test_the_sign_off_lockout_message_in_vietnamese(counting_member, counted):
    browser = member_client(counting_member, lang="vi")
    for n in range(5):
        response = confirm(browser, counted, f"sai-{n}")
    assert messages_of(response) == [
        "Nhập sai mật khẩu quá nhiều lần: đăng nhập bằng tài khoản này hoặc từ máy tính này "
        "tạm thời bị khóa. Vui lòng thử lại sau 15 phút."
    ]


def test_after_the_wait_the_right_password_confirms(counting_member, counted):
    browser = member_client(counting_member)
    for n in range(5):
        confirm(browser, counted, f"sai-{n}")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2020)
    )
    response = confirm(browser, counted, PASSWORD)
    assert messages_of(response) == ["You confirmed the result."]
    assert Confirmation.objects.filter(session=counted, user=counting_member).exists()

"""Guessing passwords: after LOGIN_FAILURE_LIMIT (5) failures the account, and after
LOGIN_FAILURE_LIMIT_PER_ADDRESS (20) the client address, is locked for LOGIN_LOCKOUT_MINUTES
(15), on the login page, the admin login and the password change; the attempts are kept in
the database."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from confidence_vote.security import client_ip
from sessions.models import Role
from tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"


@pytest.fixture
def member(org):
    return make_user("thu-ky", organization=org, roles=[Role.SECRETARIAT])


def client(address="10.1.2.3", lang="en"):
    return Client(REMOTE_ADDR=address, headers={"accept-language": lang})


def try_login(browser, username, password, url=LOGIN):
    return browser.post(url, {"username": username, "password": password})


def logged_in(browser) -> bool:
    return browser.get("/sessions/").status_code == 200


def age_attempts(minutes):
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - dt.timedelta(minutes=minutes)
    )


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(member):
    browser = client()
    statuses = [try_login(browser, "thu-ky", f"sai-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    response = try_login(browser, "thu-ky", PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert "Try again in 15 minutes." in response.content.decode()
    assert not logged_in(browser)


def test_the_lockout_message_is_vietnamese_and_gives_the_wait(member):
    browser = client(lang="vi")
    for n in range(5):
        try_login(browser, "thu-ky", f"sai-{n}")
    age_attempts(10)
    body = try_login(browser, "thu-ky", PASSWORD).content.decode()
    assert "Đăng nhập đang bị tạm khóa" in body
    assert "Nhập sai mật khẩu quá nhiều lần" in body
    # The failure during the lockout counts too and starts the wait again.
    assert "Vui lòng thử lại sau 15 phút." in body


def test_the_wait_counts_down(member):
    browser = client()
    for n in range(5):
        try_login(browser, "thu-ky", f"sai-{n}")
    age_attempts(10)
    from confidence_vote.security import lockout_message

    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    assert lockout_message(request, "thu-ky").endswith("Try again in 5 minutes.")


def test_after_the_lockout_time_the_right_password_works(member):
    browser = client()
    for n in range(5):
        try_login(browser, "thu-ky", f"sai-{n}")
    age_attempts(16)
    assert try_login(browser, "thu-ky", PASSWORD).status_code == 302
    assert logged_in(browser)


def test_logging_in_to_ones_own_account_does_not_wipe_the_addresss_failures(org, member):
    guesser = make_user("nguoi-do", organization=org, roles=[Role.LEADERSHIP])
    browser = client("10.5.5.6")
    for n in range(19):
        try_login(browser, f"khong-co-{n}", "sai")
    assert try_login(client("10.5.5.6"), guesser.username, PASSWORD).status_code == 302
    assert try_login(browser, "khong-co-20", "sai").status_code == 429


def test_the_account_is_locked_from_every_address(member):
    for n in range(5):
        try_login(client(f"10.0.0.{n + 1}"), "thu-ky", "sai")
    elsewhere = client("10.9.9.9")
    assert try_login(elsewhere, "thu-ky", PASSWORD).status_code == 429
    assert not logged_in(elsewhere)


def test_an_address_guessing_many_accounts_is_locked_for_every_account(org, member):
    other = make_user("lanh-dao-2", organization=org, roles=[Role.LEADERSHIP])
    browser = client("10.5.5.5")
    statuses = [try_login(browser, f"khong-co-{n}", "sai").status_code for n in range(20)]
    assert statuses == [200] * 19 + [429]
    assert try_login(browser, other.username, PASSWORD).status_code == 429
    # Another computer is not affected.
    assert try_login(client("10.6.6.6"), other.username, PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(db):
    get_user_model().objects.create_superuser("quan-tri", password=PASSWORD)
    browser = client()
    for n in range(5):
        try_login(browser, "quan-tri", f"sai-{n}", url="/admin/login/")
    response = try_login(browser, "quan-tri", PASSWORD, url="/admin/login/")
    assert response.status_code == 429
    assert browser.get("/admin/").status_code == 302  # still sent to the login


def test_failures_on_the_admin_login_count_for_the_login_page(member):
    browser = client()
    for n in range(5):
        try_login(browser, "thu-ky", f"sai-{n}", url="/admin/login/")
    assert try_login(client("10.7.7.7"), "thu-ky", PASSWORD).status_code == 429


def test_fewer_failures_than_the_limit_do_not_lock(member):
    browser = client()
    for n in range(4):
        try_login(browser, "thu-ky", f"sai-{n}")
    assert try_login(browser, "thu-ky", PASSWORD).status_code == 302


def test_the_limits_are_settings(settings, member):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    browser = client()
    assert try_login(browser, "thu-ky", "sai-1").status_code == 200
    assert try_login(browser, "thu-ky", "sai-2").status_code == 429
    other = client("10.2.2.2")
    assert try_login(other, "khong-co-1", "sai").status_code == 200
    assert try_login(other, "khong-co-2", "sai").status_code == 200
    assert try_login(other, "khong-co-3", "sai").status_code == 429


# --- the client's address ----------------------------------------------------------------------


def test_the_address_is_remote_addr_unless_a_proxy_header_is_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.2.3.4")
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request) == "127.0.0.1"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(request) == "10.2.3.4"
    # X-Forwarded-For: the last address is the one the proxy added.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 10.2.3.5"
    )
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "10.2.3.5"
    # Garbage in the header: the proxy's own address.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="nonsense")
    assert client_ip(request) == "127.0.0.1"


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(settings, member):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    guesser = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.3.3.3")
    for n in range(20):
        try_login(guesser, f"khong-co-{n}", "sai")
    assert AccessAttempt.objects.filter(ip_address="10.3.3.3").count() == 20
    assert try_login(guesser, "thu-ky", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.4.4.4")
    assert try_login(colleague, "thu-ky", PASSWORD).status_code == 302


# --- changing one's password ---------------------------------------------------------------------


def test_guessing_the_old_password_on_the_change_page_locks_too(member):
    browser = client()
    assert browser.login(username="thu-ky", password=PASSWORD)
    for n in range(5):
        response = browser.post(
            "/accounts/password/",
            {
                "old_password": f"sai-{n}",
                "new_password1": "x9!Long-new",
                "new_password2": "x9!Long-new",
            },
        )
    assert "Too many wrong passwords" in response.content.decode()
    response = browser.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "x9!Long-new", "new_password2": "x9!Long-new"},
    )
    assert "Too many wrong passwords" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)

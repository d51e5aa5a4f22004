"""Every signed-in user changes their own password from the user menu."""

import pytest

from tests.factories import PASSWORD

URL = "/accounts/password/"
NEW = "Hoa-sen-nở-2026!"


@pytest.fixture
def browser(login, secretariat):
    return login(secretariat)


def change(browser, old, new1=NEW, new2=NEW):
    return browser.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2})


def test_the_user_menu_links_to_the_page(browser):
    body = browser.get("/sessions/").content.decode()
    assert f'href="{URL}" data-testid="password-change-link"' in body
    assert "Change password" in body


def test_the_page_in_vietnamese(login, secretariat):
    body = login(secretariat, lang="vi").get(URL).content.decode()
    assert '<h1 class="h3 mb-3">Đổi mật khẩu</h1>' in body
    assert "Mật khẩu cũ" in body  # Django's own label, translated by Django


def test_change_keeps_the_user_signed_in_and_the_new_password_works(browser, secretariat, login):
    response = change(browser, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    done = browser.get(response["Location"])
    assert 'data-testid="password-changed"' in done.content.decode()
    assert browser.get("/sessions/").status_code == 200  # still signed in
    secretariat.refresh_from_db()
    assert secretariat.check_password(NEW)
    assert not secretariat.check_password(PASSWORD)


def test_wrong_old_password_is_refused(browser, secretariat):
    response = change(browser, "not-my-password")
    assert response.status_code == 200
    assert "The password is not right." in response.content.decode()
    secretariat.refresh_from_db()
    assert secretariat.check_password(PASSWORD)


def test_weak_or_mismatched_new_passwords_are_refused(browser, secretariat):
    assert "too common" in change(browser, PASSWORD, "password", "password").content.decode()
    assert "didn’t match" in change(browser, PASSWORD, NEW, NEW + "x").content.decode()
    secretariat.refresh_from_db()
    assert secretariat.check_password(PASSWORD)


def test_anonymous_is_sent_to_the_login(login):
    response = login(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

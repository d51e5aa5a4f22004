"""The attendance screen in Chromium: an exact full name wins over rows that only contain it
(in a position or a unit), and Enter takes it, with or without accents."""

import pytest
from playwright.sync_api import expect

from sessions.models import Attendance, Delegate, Role
from tests.factories import PASSWORD, make_delegate, make_organization, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    org = make_organization()
    session = make_session(org)
    secretariat = make_user("van-phong", organization=org, roles=[Role.SECRETARIAT])
    people = [
        ("Nguyễn Văn Nam", "Thư ký của đồng chí Hồ Thị Lê", "Văn phòng"),
        ("Hồ Thị Lên", "Trưởng phòng", "Phòng 2"),
        ("Hồ Thị Lê", "Phó Chánh Văn phòng", "Văn phòng"),
        ("Trần Thị Mai", "Chuyên viên", "Tổ giúp việc Hồ Thị Lê"),
        ("Hồ Văn Lễ", "Viện trưởng", "VKSND huyện Tiên Yên"),
    ]
    for name, position, unit in people:
        make_delegate(session, full_name=name, position=position, unit=unit)
    return session, secretariat


def _row(page, name):
    return page.locator(f"[data-testid=delegate-row][data-name='{name}']")


def test_enter_takes_the_exact_full_name(live_server, browser, setup, screenshot):
    session, secretariat = setup
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/sessions/{session.pk}/attendance/")
    page.fill("input[name=username]", secretariat.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    search = page.get_by_test_id("attendance-search")

    search.fill("Hồ Thị Lê")
    # Four rows contain the words; the one whose name is the search is chosen.
    expect(page.locator("[data-testid=delegate-row]:visible")).to_have_count(4)
    expect(_row(page, "Hồ Thị Lê")).to_have_attribute("aria-current", "true")
    page.screenshot(path=str(screenshot.dir / "attendance-exact-name.png"))
    search.press("Enter")
    expect(_row(page, "Hồ Thị Lê")).to_have_attribute("data-attendance", "present")
    expect(search).to_have_value("")
    expect(page.locator("#attendance-flash")).to_have_text("Hồ Thị Lê: có mặt.")

    # Accents and case are optional.
    search.fill("ho van le")
    expect(_row(page, "Hồ Văn Lễ")).to_have_attribute("aria-current", "true")
    search.press("Enter")
    expect(_row(page, "Hồ Văn Lễ")).to_have_attribute("data-attendance", "present")

    # A part of a name still needs a choice: Enter with several rows and no exact name does
    # nothing.
    search.fill("ho thi")
    expect(page.locator("[data-testid=delegate-row].is-selected")).to_have_count(0)
    search.press("Enter")
    expect(search).to_have_value("ho thi")

    present = Delegate.objects.filter(session=session, attendance=Attendance.PRESENT)
    assert set(present.values_list("full_name", flat=True)) == {"Hồ Thị Lê", "Hồ Văn Lễ"}
    context.close()

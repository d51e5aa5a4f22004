"""The secretariat's delegate lists in Chromium with more delegates than a page: the attendance
screen finds a delegate on a later page as the name is typed (accents left out) and Enter
checks them in; the pages turn from the keyboard; the delegates page searches on the server."""

import re

import pytest
from playwright.sync_api import expect

from sessions.models import Attendance, Delegate, Role
from tests.factories import PASSWORD, make_delegate, make_organization, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hằng", "Hùng", "Lan", "Mai", "Nam", "Thảo", "Yến"]


@pytest.fixture
def setup():
    org = make_organization()
    session = make_session(org)
    secretariat = make_user("van-phong", organization=org, roles=[Role.SECRETARIAT])
    for n in range(1, 131):
        name = f"{FAMILY[n % 7]} {'Thị' if n % 2 else 'Văn'} {GIVEN[n % 11]} {n}"
        if n == 117:
            name = "Nguyễn Văn Quang"
        make_delegate(session, full_name=name, position="Đại biểu", unit=f"Tổ {n % 9 + 1}")
    return session, secretariat


def _login(browser, live_server, secretariat, path):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.fill("input[name=username]", secretariat.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return context, page


def test_attendance_finds_a_delegate_beyond_the_first_page(live_server, browser, setup, screenshot):
    session, secretariat = setup
    context, page = _login(browser, live_server, secretariat, f"/sessions/{session.pk}/attendance/")
    rows = page.locator("[data-testid=delegate-row]")
    expect(rows).to_have_count(50)
    expect(page.get_by_test_id("pager")).to_contain_text("Trang 1/3")
    expect(page.get_by_test_id("present-counter")).to_contain_text("0/130")
    page.screenshot(path=str(screenshot.dir / "delegates-01-attendance-page-1.png"), full_page=True)

    # No. 117 is on page 3: typed without accents, the list follows, Enter checks them in.
    search = page.get_by_test_id("attendance-search")
    search.press_sequentially("nguyen van quang", delay=20)
    search.press("Enter")
    # (Their row shows "present" only until the list goes back to the first page, where they
    # are not: the spoken status line and the counter say it.)
    expect(page.locator("#attendance-flash")).to_contain_text("Nguyễn Văn Quang")
    expect(page.get_by_test_id("present-counter")).to_contain_text("1/130")
    expect(search).to_have_value("")
    expect(rows).to_have_count(50)  # the whole list again, from the first page
    assert Delegate.objects.get(full_name="Nguyễn Văn Quang").attendance == Attendance.PRESENT

    # A search with several found: the address keeps it; the keyboard chooses and marks.
    search.fill("thao")
    expect(page).to_have_url(re.compile(r"\?q=thao$"))
    expect(rows).to_have_count(12)  # the 12 Thảo
    page.screenshot(path=str(screenshot.dir / "delegates-02-attendance-search.png"), full_page=True)
    search.press("ArrowDown")
    page.keyboard.press("Space")
    expect(rows.first).to_have_attribute("data-attendance", "present")
    expect(page.get_by_test_id("present-counter")).to_contain_text("2/130")

    # Pages turn from the keyboard (n / p outside the search box, as the pager's access keys),
    # the order by name kept.
    page.goto(f"{live_server.url}/sessions/{session.pk}/attendance/?sort=name")
    first = rows.first.get_attribute("data-name")
    page.get_by_test_id("present-counter").click()  # out of the search box
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(r"sort=name&page=2"))
    expect(rows.first).not_to_have_attribute("data-name", first)
    page.screenshot(
        path=str(screenshot.dir / "delegates-03-attendance-by-name-page-2.png"), full_page=True
    )
    context.close()


def test_delegates_page_searches_on_the_server(live_server, browser, setup, screenshot):
    session, secretariat = setup
    context, page = _login(browser, live_server, secretariat, f"/sessions/{session.pk}/delegates/")
    expect(page.get_by_test_id("delegate-count")).to_contain_text("130")
    expect(page.locator("[data-testid=delegate-row]")).to_have_count(50)
    page.screenshot(path=str(screenshot.dir / "delegates-04-delegates-page-1.png"), full_page=True)
    search = page.get_by_test_id("delegate-search")
    search.fill("tran thi")
    with page.expect_navigation():
        search.press("Enter")
    found = page.locator("[data-testid=delegate-row]")
    expect(found.first).to_contain_text("Trần Thị")
    count = Delegate.objects.filter(session=session, full_name__startswith="Trần Thị").count()
    expect(found).to_have_count(count)
    expect(page.locator("#delegate-search-count")).to_contain_text(f"Tìm thấy {count} đại biểu")
    page.screenshot(path=str(screenshot.dir / "delegates-05-delegates-search.png"), full_page=True)
    context.close()

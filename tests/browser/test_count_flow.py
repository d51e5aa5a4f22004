"""The counting room in Chromium, as the committee would work: the chair opens the count;
one member enters the 28 seed ballots with the keyboard only; a second member enters them
again with one deliberate difference; the chair compares, resolves it from the paper and
closes the count."""

import pytest
from playwright.sync_api import expect

from ballots.models import Ballot
from sessions.demo import SEED_FILE
from sessions.models import CommitteeRole, Role, SessionStatus
from sessions.services.session_import import session_import_file
from sessions.services.sessions import session_start_voting
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIFFERENT = 17  # the ballot the second member types differently


@pytest.fixture
def seed():
    session = session_import_file(user=None, path=SEED_FILE)
    org = session.organization
    chair = make_user("to-truong", organization=org, roles=[Role.COUNTING])
    first = make_user("nhap-luot-1", organization=org, roles=[Role.COUNTING])
    second = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    seats = list(session.committee_members.order_by("role", "pk"))
    assert seats[0].role == CommitteeRole.CHAIR and len(seats) == 3
    for seat, user in zip(seats, (chair, first, second), strict=True):
        seat.user = user
        seat.save(update_fields=["user"])
    session_start_voting(user=None, session=session)
    return session, chair, first, second


def _log_in(browser, live_server, user, next_path):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def _enter_pile(page, *, differ_at=None):
    number = page.get_by_test_id("entry-number")
    for n in range(1, 29):
        expect(number).to_have_text(str(n))
        keys = ["1", "1", "2", "1", "1"] if n == differ_at else ["1"] * 5
        for key in [*keys, "Enter"]:
            page.keyboard.press(key)
    expect(number).to_have_text("29")
    expect(page.get_by_test_id("entered-counter")).to_contain_text("28/28")


def test_double_entry_resolved_and_closed(live_server, browser, seed, screenshot):
    session, chair, first, second = seed
    count_url = f"/sessions/{session.pk}/count/"

    chair_page = _log_in(browser, live_server, chair, count_url)
    chair_page.fill("input[name=ballots_issued]", "28")
    chair_page.get_by_test_id("count-open-form").locator("button").click()
    expect(chair_page.get_by_test_id("count-issued")).to_have_text("28")
    chair_page.fill("input[name=ballots_collected]", "28")
    chair_page.get_by_test_id("collected-form").locator("button").click()
    expect(chair_page.get_by_test_id("count-collected")).to_have_text("28")
    chair_page.screenshot(path=str(screenshot.dir / "count-01-opened.png"), full_page=True)

    page_one = _log_in(browser, live_server, first, f"/sessions/{session.pk}/count/pass/1/")
    _enter_pile(page_one)
    page_one.screenshot(path=str(screenshot.dir / "count-02-pass-1-entered.png"), full_page=True)

    page_two = _log_in(browser, live_server, second, f"/sessions/{session.pk}/count/pass/2/")
    _enter_pile(page_two, differ_at=DIFFERENT)
    assert Ballot.objects.filter(session=session, entry_pass=1).count() == 28
    assert Ballot.objects.filter(session=session, entry_pass=2).count() == 28

    chair_page.goto(f"{live_server.url}{count_url}")
    expect(chair_page.get_by_test_id("close-problems")).to_contain_text(str(DIFFERENT))
    chair_page.get_by_test_id("compare-link").click()
    differences = chair_page.get_by_test_id("difference")
    expect(differences).to_have_count(1)
    expect(differences).to_have_attribute("data-number", str(DIFFERENT))
    chair_page.screenshot(path=str(screenshot.dir / "count-03-compare.png"), full_page=True)

    differences.get_by_test_id("resolve-link").click()
    chair_page.get_by_test_id("take-pass-1").click()
    chair_page.get_by_test_id("resolve-save").click()
    expect(chair_page.get_by_test_id("compare-agree")).to_be_visible()

    chair_page.goto(f"{live_server.url}{count_url}")
    expect(chair_page.get_by_test_id("close-ready")).to_be_visible()
    chair_page.get_by_test_id("close-form").locator("button").click()
    expect(chair_page.get_by_test_id("count-closed")).to_be_visible()
    chair_page.screenshot(path=str(screenshot.dir / "count-04-closed.png"), full_page=True)

    session.refresh_from_db()
    assert session.status == SessionStatus.COUNTED
    resolved = Ballot.objects.get(session=session, entry_pass=2, number=DIFFERENT)
    assert set(resolved.marks.values_list("value", flat=True)) == {"high"}

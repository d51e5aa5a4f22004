"""The entry screen at National Assembly scale, in Chromium: a 44-official ballot fits a
1366×768 screen without scrolling, one line per official as on the paper, and a ballot typed on
it with the keyboard alone is saved."""

import json
import re

import pytest
from playwright.sync_api import expect

from ballots.models import Ballot, MarkValue
from sessions.demo import SEED_FILE
from sessions.services.session_import import session_import
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 768}
CURRENT = re.compile(r"\bis-current\b")
OFFICIALS = 44

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Thị Kim", "Hữu", "Ngọc", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lâm", "Mạnh", "Nga", "Phúc"]
POSITIONS = [
    "Phó Chủ tịch Quốc hội",
    "Chủ nhiệm Ủy ban Văn hóa, Giáo dục của Quốc hội",
    "Bộ trưởng Bộ Tài nguyên và Môi trường",
    "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ",
    "Thống đốc Ngân hàng Nhà nước Việt Nam",
    "Viện trưởng Viện kiểm sát nhân dân tối cao",
]
# The keys typed for official n (1-based): every answer; "0" again on a line already "no box"
# makes it "several".
KEYS = {"1": MarkValue.HIGH, "2": MarkValue.MEDIUM, "3": MarkValue.LOW, "x": MarkValue.SEVERAL}


def _keys_for(order: int) -> list[str]:
    if order % 11 == 0:
        return ["0"]  # no box ticked
    if order % 13 == 0:
        return ["0", "Backspace", "0"]  # back to it and 0 again: several boxes ticked
    return [["1", "1", "2", "3", "x"][order % 5]]


def _expected(order: int) -> str:
    keys = _keys_for(order)
    if keys == ["0"]:
        return MarkValue.NONE
    if keys[-1] == "0":
        return MarkValue.SEVERAL
    return KEYS[keys[0]]


@pytest.fixture
def assembly():
    """The seed file turned into a 44-official session that is counting, its first committee
    member linked (by username) to the account that types pass 1."""
    typist = make_user("nhap-luot-1")
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    data["officials"] = [
        {
            "name": f"{SURNAMES[i % 11]} {MIDDLE[(i * 7) % 10]} {GIVEN[(i * 5) % 11]} {i + 1}",
            "position": POSITIONS[i % len(POSITIONS)],
        }
        for i in range(OFFICIALS)
    ]
    data["counting_committee"][1]["username"] = typist.get_username()
    data["ballots_issued"] = 28
    return session_import(user=None, data=data), typist


def _log_in(browser, live_server, user, next_path):
    context = browser.new_context(locale="vi-VN", viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def _no_scrolling(page) -> bool:
    return page.evaluate(
        "document.scrollingElement.scrollHeight <= innerHeight"
        " && document.scrollingElement.scrollWidth <= innerWidth && scrollY === 0"
    )


def test_a_44_official_ballot_fits_1366x768_and_saves(live_server, browser, assembly, screenshot):
    session, typist = assembly
    page = _log_in(browser, live_server, typist, f"/sessions/{session.pk}/count/pass/1/")
    rows = page.get_by_test_id("official-row")
    expect(rows).to_have_count(OFFICIALS)

    assert _no_scrolling(page), page.evaluate("document.scrollingElement.scrollHeight")
    # Every line, the save button and the whole-ballot chooser are on screen at once.
    for element in [rows.nth(0), rows.nth(OFFICIALS - 1), page.get_by_test_id("save-ballot")]:
        box = element.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]
    chooser = page.get_by_test_id("whole-invalid").bounding_box()
    assert chooser["y"] + chooser["height"] <= VIEWPORT["height"]
    # Two columns, in ballot order down the first (1-22), then the second (23-44).
    first, last_of_first, top_of_second = (rows.nth(i).bounding_box() for i in (0, 21, 22))
    assert top_of_second["x"] > first["x"] + first["width"] - 1
    assert abs(top_of_second["y"] - first["y"]) < 1
    assert last_of_first["y"] > first["y"]
    # One line per official: no line taller than about a line of text.
    assert max(rows.nth(i).bounding_box()["height"] for i in range(OFFICIALS)) < 30

    expect(rows.nth(0)).to_have_class(CURRENT)
    for order in range(1, 23):
        for key in _keys_for(order):
            page.keyboard.press(key)
    # The highlight moved on to the top of the second column, and nothing scrolled.
    expect(rows.nth(22)).to_have_class(CURRENT)
    expect(page.locator("[data-testid=official-row].is-current")).to_have_count(1)
    # Back a line and forward again, as on the paper.
    page.keyboard.press("Backspace")
    expect(rows.nth(21)).to_have_class(CURRENT)
    page.keyboard.press("ArrowDown")
    expect(rows.nth(22)).to_have_class(CURRENT)
    for order in range(23, OFFICIALS + 1):
        for key in _keys_for(order):
            page.keyboard.press(key)
    assert _no_scrolling(page)
    page.screenshot(path=str(screenshot.dir / "entry-44-officials-typed.png"))

    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-number")).to_have_text("2")
    expect(page.get_by_test_id("save-status")).to_have_text("Đã lưu phiếu 1.")
    expect(page.get_by_test_id("entered-counter")).to_contain_text("1/28")
    assert _no_scrolling(page)

    ballot = Ballot.objects.get(session=session, entry_pass=1)
    assert ballot.number == 1 and ballot.entered_by == typist and ballot.invalid_reason == ""
    marks = dict(ballot.marks.values_list("official__order", "value"))
    assert marks == {order: _expected(order) for order in range(1, OFFICIALS + 1)}
    # The screen is ready for the next ballot: every box empty, the first line current.
    expect(page.locator("[data-testid=official-row] input:checked")).to_have_count(0)
    expect(rows.nth(0)).to_have_class(CURRENT)


def _draft_keys(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter((key) => key.startsWith('confidence-vote:ballot-draft:'))"
    )


def test_a_half_typed_ballot_survives_a_reload_and_goes_once_saved(live_server, browser, assembly):
    session, typist = assembly
    page = _log_in(browser, live_server, typist, f"/sessions/{session.pk}/count/pass/1/")
    rows = page.get_by_test_id("official-row")
    restored = page.get_by_test_id("draft-restored")
    expect(restored).to_be_hidden()
    for key in ["1", "2", "3", "x"]:
        page.keyboard.press(key)
    # Kept per session, pass and user.
    assert _draft_keys(page) == [f"confidence-vote:ballot-draft:{session.pk}:1:{typist.pk}"]

    page.reload()
    expect(restored).to_be_visible()
    expect(restored).to_contain_text("Đã khôi phục phiếu bạn đang nhập dở")
    checked = [rows.nth(i).locator("input:checked") for i in range(4)]
    for box, value in zip(checked, ["high", "medium", "low", "several"], strict=True):
        expect(box).to_have_value(value)
    # Typing carries on where it stopped, and the note does not push the ballot off screen.
    expect(rows.nth(4)).to_have_class(CURRENT)
    assert _no_scrolling(page)

    # While the save is on its way (here: the network fails once), nothing is kept...
    failures = []

    def fail_once(route):
        if route.request.method == "POST" and not failures:
            failures.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(f"**/sessions/{session.pk}/count/pass/1/", fail_once)
    for order in range(5, OFFICIALS + 1):
        page.keyboard.press("1")
    assert _draft_keys(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("save-status")).to_contain_text("thử lại")
    assert _draft_keys(page) == []
    # ... and once it is saved, nothing is stored for it again.
    expect(page.get_by_test_id("entry-number")).to_have_text("2")
    expect(restored).to_be_hidden()
    assert failures and _draft_keys(page) == []
    ballot = Ballot.objects.get(session=session, entry_pass=1)
    assert dict(ballot.marks.values_list("official__order", "value"))[4] == MarkValue.SEVERAL

    page.reload()
    expect(restored).to_be_hidden()
    expect(page.locator("[data-testid=official-row] input:checked")).to_have_count(0)
    assert _draft_keys(page) == []

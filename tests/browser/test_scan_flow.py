"""Scanned ballots in Chromium, as a counting committee would work: the typist of pass 1
uploads a scan of the pile (generated: the session's machine-readable paper, marks drawn with
Pillow, one ballot with a doubtful dot), follows its reading, reviews the held ballot with the
keyboard; pass 2 is keyed; the chair closes the count, the passes agreeing."""

import pytest
from playwright.sync_api import expect

from ballots.models import Ballot, ScanBatch, ScanBatchStatus, ScannedBallot, ScanStatus
from ballots.services import ballot_record
from reports.documents import ballot_layout
from sessions.models import Role, SessionStatus
from tests.ballots import entry, make_chair_user, make_counting_session
from tests.factories import PASSWORD, make_user
from tests.scanning.held import scanned_pile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRUTHS = [
    {1: "H", 2: "M", 3: "L", 4: "H", 5: "H"},
    {1: "M", 2: "H", 3: "H", 4: "L", 5: "M"},
    {1: "L", 2: "H", 3: "M", 4: "H", 5: "H"},
]
DOUBTFUL = 1  # the second ballot: a faint dot in a box of official 1's row
VALUES = {"H": "high", "M": "medium", "L": "low"}
KEYS = {"H": "1", "M": "2", "L": "3"}


@pytest.fixture
def counting(org, settings, tmp_path):
    settings.SCAN_WORKER_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"
    chair = make_chair_user(org)
    first = make_user("nhap-luot-1", organization=org, roles=[Role.COUNTING])
    second = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    session = make_counting_session(org, chair=chair, members=[first, second], issued=3)
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


def test_scan_uploaded_held_ballot_reviewed_and_count_closed(
    live_server, browser, counting, tmp_path, screenshot
):
    session, chair, first, second = counting
    layout, pdf = ballot_layout(session=session)
    scan_path = tmp_path / "may-quet-luot-1.pdf"
    scan_path.write_bytes(scanned_pile(pdf, layout, TRUTHS, doubtful=(DOUBTFUL,)))
    root = f"/sessions/{session.pk}"

    # The typist of pass 1 uploads the scan from the count page.
    page = _log_in(browser, live_server, first, f"{root}/count/")
    page.get_by_test_id("scan-upload-link").click()
    expect(page.get_by_test_id("scan-upload-form")).to_be_visible()
    page.set_input_files("input[type=file]", str(scan_path))
    page.select_option("select[name=entry_pass]", "1")
    page.screenshot(path=str(screenshot.dir / "scan-01-upload.png"), full_page=True)
    page.get_by_test_id("scan-upload-submit").click()

    # Read: two ballots certain and entered, one held.
    expect(page.get_by_test_id("scan-done")).to_be_visible()
    expect(page.get_by_test_id("scan-done")).to_contain_text("2 phiếu")
    expect(page.get_by_test_id("scan-progress-bar")).to_have_attribute("value", "100")
    page.screenshot(path=str(screenshot.dir / "scan-02-read.png"), full_page=True)
    assert Ballot.objects.filter(session=session, entry_pass=1).count() == 2

    # The held ballot: its scan with the reading drawn on it, official 1's row empty.
    page.get_by_test_id("scan-review-held").click()
    expect(page.get_by_test_id("held-row")).to_have_count(1)
    page.get_by_test_id("review-link").click()
    expect(page.get_by_test_id("held-reasons")).to_be_visible()
    image = page.get_by_test_id("scan-page")
    expect(image).to_have_count(1)
    page.wait_for_load_state("networkidle")
    drawn = page.request.get(live_server.url + image.get_attribute("src"))
    assert drawn.status == 200 and drawn.headers["content-type"] == "image/png"
    truth = TRUTHS[DOUBTFUL]
    rows = page.get_by_test_id("official-row")
    expect(rows.nth(0).locator("input:checked")).to_have_count(0)
    for order in (2, 3, 4, 5):
        value = VALUES[truth[order]]
        expect(rows.nth(order - 1).locator(f"input[value={value}]")).to_be_checked()
    page.screenshot(path=str(screenshot.dir / "scan-03-review.png"), full_page=True)

    # The keyboard: the cursor waits on the unread row; its mark, then Enter saves.
    page.keyboard.press(KEYS[truth[1]])
    expect(rows.nth(0).locator(f"input[value={VALUES[truth[1]]}]")).to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("no-held")).to_be_visible()
    reviewed = ScannedBallot.objects.get(session=session, number=DOUBTFUL + 1)
    assert reviewed.status == ScanStatus.REVIEWED and reviewed.reviewed_by == first
    stored = dict(reviewed.ballot.marks.values_list("official__order", "value"))
    assert stored == {order: VALUES[letter] for order, letter in truth.items()}
    page.context.close()

    # Pass 2 is keyed (the same pile, typed).
    for truth in TRUTHS:
        marks = [VALUES[truth[order]] for order in range(1, 6)]
        ballot_record(user=second, session=session, entry_pass=2, entry=entry(None, *marks))

    # The chair records the ballots collected and closes the count: the passes agree.
    chair_page = _log_in(browser, live_server, chair, f"{root}/count/")
    chair_page.fill("input[name=ballots_collected]", "3")
    chair_page.get_by_test_id("collected-form").locator("button").click()
    expect(chair_page.get_by_test_id("close-ready")).to_be_visible()
    chair_page.get_by_test_id("close-form").locator("button").click()
    expect(chair_page.get_by_test_id("count-closed")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.COUNTED
    chair_page.context.close()

    # What the progress bar looks like while a long file is read (for the record).
    batch = ScanBatch.objects.create(
        session=session,
        entry_pass=1,
        file_name="tap-phieu-2.pdf",
        sha256="e" * 64,
        fingerprint="",
        status=ScanBatchStatus.READING,
        pages_done=37,
        pages_total=112,
        imported_by=first,
    )
    page = _log_in(browser, live_server, first, f"{root}/count/scans/{batch.pk}/")
    expect(page.get_by_test_id("scan-pages-read")).to_contain_text("37")
    page.wait_for_timeout(1500)  # one poll of the JSON answer under the CSP
    expect(page.get_by_test_id("scan-progress-bar")).to_have_attribute("value", "33")
    page.screenshot(path=str(screenshot.dir / "scan-04-progress.png"), full_page=True)

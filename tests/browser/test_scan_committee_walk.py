"""Issue 13's "Done when", as a counting committee would do it: 100 generated scans of a
28-official ballot (two pages each; ticks, crosses, filled boxes, pencil, felt tip; grey and
black-and-white; skewed, scaled, noisy) uploaded by the typist of pass 1, the held few reviewed
over their scans, pass 2 keyed (imported with import_ballots --as, for speed, with one typing
slip), the chair compares the difference beside the scanned paper, resolves it and closes.

Every saved reading is checked by the comparison itself: a ballot the machine read wrong and
counted would show up as a second difference."""

import csv
import random

import pytest
from django.core.management import call_command
from PIL import ImageDraw
from playwright.sync_api import expect

from ballots.models import Ballot, ScannedBallot, ScanStatus
from reports.documents import ballot_layout
from sessions.models import Role, SessionStatus
from tests.ballots import make_chair_user, make_counting_session
from tests.browser.test_scan_flow import _log_in
from tests.factories import make_user
from tests.scanning.synthetic import (
    PENS,
    STYLES,
    jpeg_round_trip,
    mark_pages,
    random_marks,
    rasterise,
    scan,
    to_file,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALLOTS = 100
OFFICIALS = 28
DPI = 150
# Positions in the pile (0-based) of what a person must look at.
DOT, CROSSED, ADDED = 16, 41, 76
# Pass 2's typing slip: ballot SLIP, official SLIP_ORDER.
SLIP, SLIP_ORDER = 5, 3
VALUES = {"H": "high", "M": "medium", "L": "low", "X": "several", "": "none"}
KEYS = {"H": "1", "M": "2", "L": "3"}
# The whole-ballot-invalid chooser's keys (after "i"), in InvalidReason's order.
REASON_KEYS = {"name_crossed_out": "2", "name_added": "3"}
LONG = 300_000  # ms: 200 pages are read while the upload waits


@pytest.fixture
def committee(org, settings, tmp_path):
    settings.SCAN_WORKER_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"
    chair = make_chair_user(org)
    first = make_user("nhap-luot-1", organization=org, roles=[Role.COUNTING])
    second = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    session = make_counting_session(
        org,
        chair=chair,
        members=[first, second],
        issued=BALLOTS,
        officials=OFFICIALS,
        convened=110,
        present=BALLOTS,
    )
    return session, chair, first, second


def _mm(value: float) -> float:
    return value * DPI / 25.4


def _pile(pdf, layout):
    """The scan file and, per ballot, its marks and the whole-ballot reason ("" if valid)."""
    rng = random.Random(1313)
    clean = rasterise(pdf, dpi=DPI)
    images, truths, reasons = [], [], []
    for position in range(BALLOTS):
        truth = random_marks(layout.orders, rng)
        pen = PENS[rng.choice(STYLES)]
        bilevel = position not in (DOT, CROSSED) and rng.random() < 0.5
        pages = mark_pages(clean, layout, truth, dpi=DPI, rng=rng, pen=pen)
        reason = ""
        if position == DOT:  # a faint dot in an empty box of official 5's row
            row = layout.pages[0].rows[4]
            truth[5] = "H"
            pages = mark_pages(clean, layout, truth, dpi=DPI, rng=rng, pen=PENS["tick"])
            box = row.boxes["L"]
            x, y = _mm(box.x + box.width / 2), _mm(box.y + box.height / 2)
            ImageDraw.Draw(pages[0]).ellipse([x - 4, y - 3, x + 4, y + 3], fill=70)
        elif position == CROSSED:  # official 10's name lightly struck through in pencil
            label = layout.pages[0].rows[9].label
            y = _mm(label.y + label.height / 2)
            ImageDraw.Draw(pages[0]).line(
                [(_mm(label.x + 12), y), (_mm(label.x + 44), y + 2)], fill=115, width=2
            )
            reason = "name_crossed_out"
        elif position == ADDED:  # a name written below the list
            qr = layout.pages[-1].qr
            x, y = _mm(qr.x + qr.width + 15), _mm(qr.y + 6)
            ImageDraw.Draw(pages[-1]).text((x, y), "Nguyen Van Them", fill=30, font_size=27)
            reason = "name_added"
        for page in pages:
            image = scan(
                page,
                rng=rng,
                skew=rng.uniform(-3, 3),
                scale=rng.uniform(0.98, 1.02),
                noise=rng.uniform(0, 8),
                bilevel=bilevel,
            )
            images.append(image if bilevel else jpeg_round_trip(image, rng.randint(60, 90)))
        truths.append(truth)
        reasons.append(reason)
    return to_file(images, "pdf"), truths, reasons


def _keyed_file(path, truths, reasons):
    """Pass 2 as the second typist keyed it: the truth, but for one slip."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ballot", *range(1, OFFICIALS + 1), "invalid_reason"])
        for number, (truth, reason) in enumerate(zip(truths, reasons, strict=True), start=1):
            marks = dict(truth)
            if number == SLIP:
                marks[SLIP_ORDER] = "L" if marks[SLIP_ORDER] != "L" else "M"
            row = [""] * OFFICIALS if reason else [marks[o] for o in range(1, OFFICIALS + 1)]
            writer.writerow([number, *row, reason])


def _review(page, truth, reason):
    """Decide one held ballot as the committee member does, looking at the paper's scan."""
    if reason:
        page.keyboard.press("i")
        page.keyboard.press(REASON_KEYS[reason])
    else:
        rows = page.get_by_test_id("official-row")
        for order, letter in truth.items():
            row = rows.nth(order - 1)
            value = VALUES[letter]
            if row.locator(f"input[value={value}]:checked").count() == 0:
                row.locator(f"label[for$='-{value}']").click()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_committee_counts_100_scanned_ballots(
    live_server, browser, committee, tmp_path, screenshot
):
    session, chair, first, second = committee
    layout, pdf = ballot_layout(session=session)
    assert layout.page_count == 2
    content, truths, reasons = _pile(pdf, layout)
    scan_path = tmp_path / "may-quet-100-phieu.pdf"
    scan_path.write_bytes(content)
    root = f"/sessions/{session.pk}"

    # The typist of pass 1 uploads the pile (200 pages) and follows its reading.
    page = _log_in(browser, live_server, first, f"{root}/count/")
    page.set_default_timeout(LONG)
    page.get_by_test_id("scan-upload-link").click()
    page.set_input_files("input[type=file]", str(scan_path))
    page.select_option("select[name=entry_pass]", "1")
    page.screenshot(path=str(screenshot.dir / "scan-walk-01-upload.png"), full_page=True)
    page.get_by_test_id("scan-upload-submit").click()
    expect(page.get_by_test_id("scan-done")).to_be_visible()
    page.screenshot(path=str(screenshot.dir / "scan-walk-02-read.png"), full_page=True)

    scanned = ScannedBallot.objects.filter(session=session, entry_pass=1).order_by("number")
    assert scanned.count() == BALLOTS
    held = [s.number for s in scanned if s.status == ScanStatus.HELD]
    # What a person must see is held; a few clean ballots may be too (at most 2 %, and a few).
    assert {DOT + 1, CROSSED + 1, ADDED + 1} <= set(held)
    assert len(held) <= 3 + 5, held
    crossed = scanned.get(number=CROSSED + 1)
    # Read in the uploader's language (Vietnamese): "row 10: writing over the name…".
    assert "dòng 10: có nét viết đè lên họ tên hoặc chức vụ (bị gạch tên?)" in crossed.reasons

    # The held few, reviewed one after the other over their scans.
    page.get_by_test_id("scan-review-held").click()
    expect(page.get_by_test_id("held-row")).to_have_count(len(held))
    page.get_by_test_id("review-link").first.click()
    for position, number in enumerate(held):
        expect(page.get_by_test_id("held-reasons")).to_be_visible()
        expect(page.get_by_test_id("scan-page")).to_have_count(2)
        if number == CROSSED + 1:
            page.screenshot(path=str(screenshot.dir / "scan-walk-03-review.png"), full_page=True)
        assert f"/held/{number}/" in page.url, (page.url, number, position)
        _review(page, truths[number - 1], reasons[number - 1])
    expect(page.get_by_test_id("no-held")).to_be_visible()
    assert Ballot.objects.filter(session=session, entry_pass=1).count() == BALLOTS
    page.context.close()

    # Pass 2 keyed, imported for speed under the second typist's name.
    keyed = tmp_path / "luot-2.csv"
    _keyed_file(keyed, truths, reasons)
    call_command("import_ballots", session.pk, str(keyed), "--pass", "2", "--as", second.username)

    # The chair: the ballots collected, the one difference beside the scanned paper, resolved
    # from the paper; the count closed.
    chair_page = _log_in(browser, live_server, chair, f"{root}/count/")
    chair_page.set_default_timeout(LONG)
    chair_page.fill("input[name=ballots_collected]", str(BALLOTS))
    chair_page.get_by_test_id("collected-form").locator("button").click()
    chair_page.goto(f"{live_server.url}{root}/count/compare/")
    differences = chair_page.get_by_test_id("difference")
    expect(differences).to_have_count(1)
    expect(differences.first).to_have_attribute("data-number", str(SLIP))
    scan_image = differences.first.get_by_test_id("difference-scan").locator("img")
    expect(scan_image).to_have_count(2)
    chair_page.wait_for_load_state("networkidle")
    assert all(
        chair_page.evaluate("(img) => img.complete && img.naturalWidth > 0", handle)
        for handle in scan_image.element_handles()
    )
    chair_page.screenshot(path=str(screenshot.dir / "scan-walk-04-compare.png"), full_page=True)
    differences.first.get_by_test_id("resolve-link").click()
    chair_page.get_by_test_id("take-pass-1").click()
    expect(chair_page.get_by_test_id("difference-scan")).to_have_count(1)
    chair_page.wait_for_load_state("networkidle")
    chair_page.screenshot(path=str(screenshot.dir / "scan-walk-05-resolve.png"), full_page=True)
    chair_page.fill("textarea[name=reason], input[name=reason]", "Đối chiếu phiếu giấy số 5")
    chair_page.get_by_test_id("resolve-save").click()
    expect(chair_page.get_by_test_id("compare-agree")).to_be_visible()
    chair_page.goto(f"{live_server.url}{root}/count/")
    expect(chair_page.get_by_test_id("close-ready")).to_be_visible()
    chair_page.get_by_test_id("close-form").locator("button").click()
    expect(chair_page.get_by_test_id("count-closed")).to_be_visible()
    chair_page.screenshot(path=str(screenshot.dir / "scan-walk-06-closed.png"), full_page=True)
    session.refresh_from_db()
    assert session.status == SessionStatus.COUNTED
    chair_page.context.close()

    # Both passes now read each ballot as the paper says.
    invalid = dict(
        Ballot.objects.filter(session=session, entry_pass=1)
        .exclude(invalid_reason="")
        .values_list("number", "invalid_reason")
    )
    assert invalid == {CROSSED + 1: "name_crossed_out", ADDED + 1: "name_added"}

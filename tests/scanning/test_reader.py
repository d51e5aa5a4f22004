"""Reading generated scans with known truth: every certain reading equals the truth, every
doubtful ballot is held with its reason, pages that are not ours are refused by number."""

import random

import numpy as np
import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from ballots.scanning.reader import UNCLEAR, read_file
from reports.documents import ballot_layout
from tests.ballots import make_counting_session
from tests.scanning.synthetic import (
    PENS,
    jpeg_round_trip,
    mark_pages,
    random_marks,
    rasterise,
    scan,
    to_file,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(paper, images, kind="pdf"):
    return read_file(to_file(images, kind), name=f"scan.{kind}", template=paper.template)


def mm(value, dpi):
    return value * dpi / 25.4


CASES = [
    # (dpi, pen, scanner settings, file kind)
    (150, "tick", {"skew": 2.8, "scale": 1.02, "noise": 6, "bilevel": True}, "tiff"),
    (150, "cross", {"skew": -3.0, "scale": 0.98, "noise": 10}, "pdf"),
    (150, "pencil", {"skew": 1.2, "scale": 1.0, "noise": 4}, "pdf"),
    (300, "fill", {"skew": -1.5, "scale": 1.01, "noise": 8, "bilevel": True}, "pdf"),
    (300, "felt", {"skew": 0.4, "scale": 0.99, "noise": 12}, "tiff"),
    (200, "tick", {"skew": -2.2, "scale": 1.0, "noise": 5, "jpeg": 60}, "pdf"),
]


@pytest.mark.parametrize(("dpi", "pen", "settings_", "kind"), CASES)
def test_clean_scans_are_read_exactly(paper, dpi, pen, settings_, kind):
    rng = random.Random(f"{dpi}{pen}{kind}")
    clean = rasterise(paper.pdf, dpi=dpi)
    settings_ = dict(settings_)
    quality = settings_.pop("jpeg", None)
    truths, images = [], []
    for _ballot in range(2):
        truth = random_marks(paper.layout.orders, rng)
        truth[1], truth[2], truth[3] = "X", "", "L"  # several, none, low on every ballot
        truths.append(truth)
        for page in mark_pages(clean, paper.layout, truth, dpi=dpi, rng=rng, pen=PENS[pen]):
            scanned = scan(page, rng=rng, **settings_)
            images.append(jpeg_round_trip(scanned, quality) if quality else scanned)
    result = read(paper, images, kind)
    assert (result.pages, result.refused, result.problem) == (4, [], "")
    assert len(result.ballots) == 2
    for ballot, truth in zip(result.ballots, truths, strict=True):
        assert ballot.reasons == []
        assert ballot.marks == truth


def test_single_page_jpeg_and_png(small_paper):
    rng = random.Random(5)
    clean = rasterise(small_paper.pdf, dpi=200)
    truth = {1: "H", 2: "M", 3: "L", 4: "", 5: "X"}
    (page,) = mark_pages(clean, small_paper.layout, truth, dpi=200, rng=rng, pen=PENS["cross"])
    for kind in ("jpeg", "png"):
        result = read(small_paper, [scan(page, rng=rng, skew=1.7, noise=5)], kind)
        (ballot,) = result.ballots
        assert (ballot.marks, ballot.reasons) == (truth, [])


def test_upside_down_pages_are_read(paper):
    rng = random.Random(7)
    clean = rasterise(paper.pdf, dpi=150)
    truth = random_marks(paper.layout.orders, rng)
    pages = mark_pages(clean, paper.layout, truth, dpi=150, rng=rng, pen=PENS["tick"])
    images = [scan(page, rng=rng, skew=1.0, upside_down=True, noise=4) for page in pages]
    (ballot,) = read(paper, images).ballots
    assert (ballot.marks, ballot.reasons) == (truth, [])


def _one_ballot(paper, truth, *, dpi=150, pen="tick", seed=1):
    rng = random.Random(seed)
    clean = rasterise(paper.pdf, dpi=dpi)
    return mark_pages(clean, paper.layout, truth, dpi=dpi, rng=rng, pen=PENS[pen])


def test_a_faint_dot_in_a_box_is_held(small_paper):
    truth = {1: "H", 2: "H", 3: "H", 4: "H", 5: "H"}
    (page,) = _one_ballot(small_paper, truth)
    box = small_paper.layout.pages[0].rows[1].boxes["L"]
    x, y = mm(box.x + box.width / 2, 150), mm(box.y + box.height / 2, 150)
    ImageDraw.Draw(page).ellipse([x - 4, y - 3, x + 4, y + 3], fill=60)
    (ballot,) = read(small_paper, [scan(page, rng=random.Random(1), skew=1)]).ballots
    assert ballot.held
    assert ballot.marks[2] == UNCLEAR
    assert ballot.reasons == ["row 2: a box is neither clearly empty nor clearly marked"]
    assert [ballot.marks[k] for k in (1, 3, 4, 5)] == ["H"] * 4


def test_a_pencil_cross_left_as_dots_by_a_1_bit_scan_is_held(small_paper):
    # A faint pencil cross that a 150 dpi black-and-white scan keeps only as a trail of dots,
    # each one too small to count: the box is not clearly empty, a person must look. (Dots
    # 1 mm apart: the small closing joins them only up to about 0.8 mm.)
    spacing = 6
    truth = {1: "H", 2: "", 3: "H", 4: "H", 5: "H"}
    (page,) = _one_ballot(small_paper, truth)
    box = small_paper.layout.pages[0].rows[1].boxes["H"]
    left, top = mm(box.x + box.width * 0.3, 150), mm(box.y + box.height * 0.22, 150)
    right, bottom = mm(box.x + box.width * 0.7, 150), mm(box.y + box.height * 0.8, 150)
    draw = ImageDraw.Draw(page)
    for n in range(0, int(right - left), spacing):
        fy = n / (right - left)
        for x in (left + n, right - n):
            y = top + fy * (bottom - top)
            draw.rectangle([x, y, x + 1, y + 1], fill=40)
    scanned = scan(page, rng=random.Random(3), skew=0.8, bilevel=True, noise=3)
    (ballot,) = read(small_paper, [scanned], kind="tiff").ballots
    assert ballot.held
    assert ballot.marks[2] == UNCLEAR
    assert ballot.reasons == ["row 2: a box is neither clearly empty nor clearly marked"]
    assert [ballot.marks[k] for k in (1, 3, 4, 5)] == ["H"] * 4


def test_a_crossed_out_name_is_held(small_paper):
    truth = {1: "H", 2: "M", 3: "H", 4: "H", 5: "L"}
    (page,) = _one_ballot(small_paper, truth)
    label = small_paper.layout.pages[0].rows[2].label
    y = mm(label.y + label.height / 2, 150)
    draw = ImageDraw.Draw(page)
    draw.line([(mm(label.x + 10, 150), y), (mm(label.x + 60, 150), y + 4)], fill=30, width=3)
    (ballot,) = read(small_paper, [scan(page, rng=random.Random(2), skew=-2)]).ballots
    assert ballot.reasons == ["row 3: writing over the name or position (crossed out?)"]
    assert ballot.marks == truth  # the boxes were read; a person decides the ballot


LIGHT_PENCIL = [
    # (dpi, start and end of the stroke from the name cell's left edge in mm, skew, noise,
    # JPEG quality): grey scans, a 0.4 mm pencil line (grey 115) through the name.
    (150, 9, 42, -2.4, 8, 55),
    (150, 15, 40, 1.1, 4, 85),
    (200, 12, 38, 2.9, 10, 60),
    (300, 9, 50, -0.7, 6, 70),
    (300, 16, 36, 3.0, 9, 50),
]


@pytest.mark.parametrize(("dpi", "start", "end", "skew", "noise", "quality"), LIGHT_PENCIL)
def test_a_name_lightly_crossed_out_in_pencil_on_a_grey_scan_is_held(
    small_paper, dpi, start, end, skew, noise, quality
):
    """A light pencil line through a name adds little ink to the row's print, and lies mostly
    over the letters; it shows between them. The ballot goes to a person, whatever its boxes
    say (a name struck through makes the ballot invalid)."""
    truth = {1: "H", 2: "H", 3: "M", 4: "H", 5: "H"}
    (page,) = _one_ballot(small_paper, truth, dpi=dpi, pen="pencil", seed=dpi + start)
    label = small_paper.layout.pages[0].rows[3].label
    y = mm(label.y + label.height * 0.5, dpi)
    pencil = PENS["pencil"]
    ImageDraw.Draw(page).line(
        [(mm(label.x + start, dpi), y), (mm(label.x + end, dpi), y + 1)],
        fill=pencil.grey,
        width=max(2, round(mm(pencil.width_mm, dpi))),
    )
    rng = random.Random(dpi * 100 + start)
    scanned = jpeg_round_trip(scan(page, rng=rng, skew=skew, noise=noise), quality)
    (ballot,) = read(small_paper, [scanned]).ballots
    assert ballot.reasons == ["row 4: writing over the name or position (crossed out?)"]
    assert ballot.marks == truth


def test_clean_grey_pencil_ballots_are_not_held_for_their_names(small_paper):
    """The same scans without the stroke: nothing over the names."""
    for dpi, _start, _end, skew, noise, quality in LIGHT_PENCIL:
        truth = {1: "H", 2: "H", 3: "M", 4: "H", 5: "H"}
        (page,) = _one_ballot(small_paper, truth, dpi=dpi, pen="pencil", seed=dpi)
        scanned = jpeg_round_trip(
            scan(page, rng=random.Random(dpi), skew=skew, noise=noise), quality
        )
        (ballot,) = read(small_paper, [scanned]).ballots
        assert (ballot.reasons, ballot.marks) == ([], truth)
        assert max(ballot.pages[0].stroke.values()) < 1.0


def test_a_name_added_below_the_list_is_held(small_paper):
    truth = {1: "H", 2: "H", 3: "H", 4: "M", 5: "H"}
    (page,) = _one_ballot(small_paper, truth, pen="felt")
    last = small_paper.layout.pages[0].rows[-1].label
    x, y = mm(last.x + 10, 150), mm(last.y + last.height + 8, 150)
    ImageDraw.Draw(page).text((x, y), "6  Nguyen Van Them", fill=20, font_size=40)
    (ballot,) = read(small_paper, [scan(page, rng=random.Random(3), noise=6)]).ballots
    assert ballot.reasons == ["page 1: writing outside the boxes (a name added?)"]


@pytest.mark.parametrize("dpi", [150, 300])
def test_a_name_added_in_light_pencil_on_a_grey_scan_is_held(small_paper, dpi):
    truth = {1: "H", 2: "H", 3: "H", 4: "M", 5: "H"}
    (page,) = _one_ballot(small_paper, truth, pen="pencil", dpi=dpi)
    qr = small_paper.layout.pages[0].qr
    x, y = mm(qr.x + qr.width + 15, dpi), mm(qr.y + 6, dpi)
    pencil = PENS["pencil"].grey
    ImageDraw.Draw(page).text((x, y), "6  Nguyen Van Them", fill=pencil, font_size=dpi // 6)
    scanned = jpeg_round_trip(scan(page, rng=random.Random(dpi), noise=6, skew=1.5), 60)
    (ballot,) = read(small_paper, [scanned]).ballots
    assert ballot.reasons == ["page 1: writing outside the boxes (a name added?)"]
    assert ballot.marks == truth


def test_a_torn_corner_is_held(small_paper):
    truth = {1: "H", 2: "H", 3: "L", 4: "H", 5: "H"}
    (page,) = _one_ballot(small_paper, truth)
    w, h = page.size
    # The bottom-right corner torn off: the scanner's lid shows white there.
    ImageDraw.Draw(page).polygon([(w, h - mm(40, 150)), (w, h), (w - mm(30, 150), h)], fill=255)
    (ballot,) = read(small_paper, [scan(page, rng=random.Random(4), skew=0.5)]).ballots
    assert ballot.reasons == ["page 1: a corner mark is missing (torn or folded corner?)"]
    assert ballot.marks == truth


def test_missing_and_repeated_pages_hold_the_ballot(paper):
    truth = random_marks(paper.layout.orders, random.Random(9))
    first, second = _one_ballot(paper, truth)
    result = read(paper, [first, second, second, first, first, second])
    assert [b.reasons for b in result.ballots] == [
        ["page 2 appears twice (file page 3)"],
        ["page(s) 2 of 2 missing"],
        [],
    ]
    assert [[p.index for p in b.pages] for b in result.ballots] == [[1, 2, 3], [4], [5, 6]]
    assert result.ballots[2].marks == truth
    assert all(result.ballots[1].marks[k] == UNCLEAR for k in range(15, 29))
    # A pile that starts with a second page.
    (ballot,) = read(paper, [second]).ballots
    assert ballot.reasons == ["page(s) 1 of 2 missing"]


def test_pages_that_are_not_ours_are_refused_by_number(org, small_paper, media):
    other = make_counting_session(org, officials=5)
    _layout, other_pdf = ballot_layout(session=other)
    truth = {1: "H", 2: "H", 3: "H", 4: "H", 5: "H"}
    (ours,) = _one_ballot(small_paper, truth)
    (theirs,) = mark_pages(
        rasterise(other_pdf, dpi=150), _layout, truth, dpi=150, rng=random.Random(1)
    )
    blank = Image.new("L", ours.size, 255)
    noise = np.random.default_rng(1).integers(0, 255, (1200, 900), dtype=np.uint8)
    photo = Image.fromarray(noise)
    result = read(small_paper, [blank, theirs, ours, photo])
    assert result.refused == [
        (1, "no ballot code found: a blank page, another paper, or a scan too poor to read"),
        (2, f"this is a ballot paper of another session (session {other.pk})"),
        (4, "no ballot code found: a blank page, another paper, or a scan too poor to read"),
    ]
    assert result.refused_messages()[1] == (
        f"scan.pdf, page 2: this is a ballot paper of another session (session {other.pk})"
    )
    (ballot,) = result.ballots
    assert (ballot.marks, ballot.reasons) == (truth, [])


def test_a_paper_printed_before_the_officials_changed_is_refused(small_paper):
    (page,) = _one_ballot(small_paper, {1: "H", 2: "H", 3: "H", 4: "H", 5: "H"})
    official = small_paper.session.officials.get(order=2)
    official.position = "Viện trưởng"
    official.save()
    layout, pdf = ballot_layout(session=small_paper.session)
    from ballots.scanning.reader import prepare_template

    result = read_file(
        to_file([page], "png"), name="scan.png", template=prepare_template(layout, pdf)
    )
    assert result.ballots == []
    assert result.refused == [
        (
            1,
            "this ballot paper was printed for another version of the session's ballot "
            "(officials, order or layout changed since)",
        )
    ]


def test_corrupt_files_give_a_clear_message(small_paper):
    for content, name in [
        (b"%PDF-1.7\n garbage", "hong.pdf"),
        (b"\x89PNG\r\n\x1a\n broken", "hong.png"),
        (b"ballot,1,2\n1,H,H\n", "phieu.csv"),
    ]:
        result = read_file(content, name=name, template=small_paper.template)
        assert result.problem.startswith(name)
        assert result.ballots == []
    # A TIFF whose second page is cut off: the first page is read, the second refused.
    truth = {1: "H", 2: "M", 3: "H", 4: "H", 5: "H"}
    (page,) = _one_ballot(small_paper, truth)
    data = to_file([page, page], "tiff")
    result = read_file(data[: len(data) * 3 // 4], name="cut.tiff", template=small_paper.template)
    assert result.pages == 2
    [(index, reason)] = result.refused
    assert index == 2 and reason.startswith("the page cannot be decoded")
    (ballot,) = result.ballots
    assert (ballot.marks, ballot.reasons) == (truth, [])
    # A PDF cut short cannot be opened at all.
    data = to_file([page, page], "pdf")
    result = read_file(data[: len(data) // 2], name="cut.pdf", template=small_paper.template)
    assert result.problem.startswith("cut.pdf is not a readable PDF")
    assert (result.pages, result.ballots) == (0, [])


def test_a_file_with_too_many_pages_is_cut_with_a_message(small_paper, monkeypatch):
    from ballots.scanning import images as scan_images

    monkeypatch.setattr(scan_images, "MAX_PAGES", 3)
    (page,) = _one_ballot(small_paper, {1: "H", 2: "H", 3: "H", 4: "H", 5: "H"})
    for kind in ("pdf", "tiff"):
        result = read(small_paper, [page] * 5, kind)
        assert result.pages == 4
        assert len(result.ballots) == 3
        assert result.refused == [
            (4, f"scan.{kind} has more than 3 pages: split it into several files.")
        ]


def test_a_photo_of_a_ballot(small_paper):
    """A phone photo (perspective, dark surroundings) is read when the page is seen nearly
    square-on, and refused with a clear message when it is too slanted to map."""
    import cv2

    truth = {1: "H", 2: "M", 3: "L", 4: "", 5: "X"}
    (page,) = _one_ballot(small_paper, truth, pen="cross", seed=2)
    grey = np.asarray(page)
    h, w = grey.shape
    results = []
    for slant in (0.08, 0.15):
        corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        seen = np.float32(
            [
                [w * slant, h * slant / 2],
                [w * (1 - slant * 0.3), 0],
                [w, h],
                [0, h * (1 - slant / 5)],
            ]
        )
        matrix = cv2.getPerspectiveTransform(corners, seen + 100)
        photo = cv2.warpPerspective(grey, matrix, (w + 250, h + 250), borderValue=90)
        results.append(read(small_paper, [Image.fromarray(photo)], "jpeg"))
    # A slight slant: read right, or held for a person (how well the code and the marks are
    # found depends on the code's density, hence on the session id); never saved wrong.
    (ballot,) = results[0].ballots
    if not ballot.reasons:
        assert ballot.marks == truth
    assert results[1].ballots == []
    assert results[1].refused == [
        (
            1,
            "3 of the four corner marks cannot be found: a torn, folded or cut page, "
            "or a photo taken at a slant",
        )
    ]

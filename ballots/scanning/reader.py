"""Reading one scanned page of the machine-readable ballot paper, and a whole file into ballots.

Pure functions: bytes (or grey pixels) and the paper's layout in, readings out. OpenCV finds
the QR code, the corner marks, the homography and the ink; this module only decides.

A page is mapped onto a "canonical" image of the paper at PX_PER_MM pixels per millimetre,
so every measurement is made in the layout's own coordinates. A reading is certain only when
every box is clearly empty or clearly marked and nothing is written outside the boxes;
anything else is held for a person, with the reasons.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import cv2
import numpy as np
import pypdfium2 as pdfium
from django.utils.translation import gettext as _

from ballots.scanning.images import ScanFileError, SourcePage, iter_pages, page_count
from ballots.scanning.layout import LEVELS, BallotLayout, PageLayout, Rect, parse_payload

PX_PER_MM = 6.0
# Larger scans are first halved to no more than this (about 230 dpi).
WORK_MAX_PX_PER_MM = 9.0

# Ink in a box's inner area, as a share of that area (after dropping specks).
EMPTY_BELOW = 0.002
MARKED_ABOVE = 0.013
# A pixel is ink when darker than paper by this share of the way to printed black.
INK_LEVEL = 0.3
# How far inside a box's printed border its inner area starts (mm).
BOX_INSET_MM = 1.6
# A speck smaller than this is scanner noise, not a pen (mm²).
SPECK_MM2 = 0.35
# Writing outside the boxes (mm² of ink where the paper has none), over a name's row or
# anywhere else on the page.
ROW_WRITING_MM2 = 2.5
PAGE_WRITING_MM2 = 5.0
WRITING_PIECE_MM2 = 0.8
# Grey levels below paper that count as no ink at all (scanner noise, JPEG ripples).
DARKNESS_FLOOR = 25.0
# A row's cells holding this much more ink than their print: a name crossed out.
LABEL_EXCESS_SHARE = 0.07
LABEL_INSET_MM = 0.8
# A stroke through a name (a light pencil line too): ink darker than paper by this share of
# the way to printed black, where the print, aligned row by row (within ALIGN_MM) and widened
# by STROKE_TOLERANCE_PX, has none, spread over at least STROKE_MM of a band STROKE_BAND_PX
# high. Clean rows measure at most 0.5 mm, strokes from 1 mm (bench/scan_accuracy.py).
STROKE_CONTRAST = 0.2
STROKE_TOLERANCE_PX = 2
STROKE_BAND_PX = 3
STROKE_MM = 1.0
ALIGN_MM = 0.8
STROKE_ROW_INSET_MM = 1.2
# How far printed ink may move between the template and a scan (mm).
PRINT_TOLERANCE_MM = 0.6
# Ink just outside a box is a mark that overflowed, not writing (mm).
BOX_HALO_MM = 1.8
# A corner mark found further than this from where the others put it: the page is bent (mm).
MAX_MARK_ERROR_MM = 1.2
# The outer band of the page where scanners leave shadows (mm).
EDGE_MM = 5.0

# The stored page image's JPEG quality.
IMAGE_QUALITY = 75

# Row readings: H, M, L, "" (no mark), X (several marks), "?" (unclear: held).
NO_MARK = ""
SEVERAL = "X"
UNCLEAR = "?"


# --- the template: what the clean paper looks like -----------------------------------------


@dataclass
class PageTemplate:
    layout: PageLayout
    # Where ink is expected or allowed (printed matter, boxes and their halo, the code).
    allowed: np.ndarray
    # Ink of the clean page (for the darkness of print on a scan).
    printed: np.ndarray
    # Around the printed matter, away from the boxes: where a scan's print is measured.
    print_zone: np.ndarray
    # How dark the clean page is, above a floor (see _darkness).
    darkness: np.ndarray


@dataclass
class Template:
    layout: BallotLayout
    pages: list[PageTemplate]
    size: tuple[int, int]  # (width, height) in canonical pixels


def _px(value_mm: float) -> int:
    return int(round(value_mm * PX_PER_MM))


def _slice(rect: Rect, inset_mm: float = 0.0) -> tuple[slice, slice]:
    return (
        slice(_px(rect.y + inset_mm), _px(rect.y + rect.height - inset_mm)),
        slice(_px(rect.x + inset_mm), _px(rect.x + rect.width - inset_mm)),
    )


def _disc(radius_px: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius_px + 1, 2 * radius_px + 1))


def _darkness(grey: np.ndarray, paper: float) -> np.ndarray:
    """How much darker than paper each pixel is, less a floor that scanner noise stays under.
    Summed over an area it measures ink without a threshold: resampling, rotation and blur
    move darkness around but keep its sum."""
    return np.clip(paper - DARKNESS_FLOOR - grey.astype(np.float32), 0, None)


def _boxes_mask(page: PageLayout, shape: tuple[int, ...]) -> np.ndarray:
    """The boxes with their halo, the code and the marks: where the print is not measured."""
    mask = np.zeros(shape, dtype=np.uint8)
    for row in page.rows:
        for rect in row.boxes.values():
            mask[_slice(rect, -BOX_HALO_MM)] = 1
    mask[_slice(page.qr, -2.0)] = 1
    for mark in page.marks:
        mask[_slice(mark, -1.5)] = 1
    return mask


def prepare_template(layout: BallotLayout, pdf: bytes) -> Template:
    """The canonical image of each page of the clean paper (`pdf`, one copy, from
    reports.documents.ballot_layout) and where ink is allowed on it."""
    size = (_px(layout.width), _px(layout.height))
    document = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for page_layout, index in zip(layout.pages, range(len(document)), strict=True):
            page = document[index]
            bitmap = page.render(scale=PX_PER_MM * 25.4 / 72, grayscale=True)
            array = bitmap.to_numpy()
            grey = array.reshape(array.shape[0], array.shape[1], -1)[..., 0]
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
            printed = (grey < 160).astype(np.uint8)
            allowed = cv2.dilate(printed, _disc(_px(PRINT_TOLERANCE_MM)))
            print_zone = allowed.copy()
            for row in page_layout.rows:
                for rect in row.boxes.values():
                    allowed[_slice(rect, -BOX_HALO_MM)] = 1
            allowed[_slice(page_layout.qr, -2.0)] = 1
            for mark in page_layout.marks:
                allowed[_slice(mark, -1.5)] = 1
            edge = _px(EDGE_MM)
            allowed[:edge, :] = allowed[-edge:, :] = 1
            allowed[:, :edge] = allowed[:, -edge:] = 1
            print_zone[allowed > print_zone] = 0
            print_zone = np.bitwise_and(print_zone, 1 - _boxes_mask(page_layout, allowed.shape))
            pages.append(
                PageTemplate(
                    layout=page_layout,
                    allowed=allowed,
                    printed=printed,
                    print_zone=print_zone,
                    darkness=_darkness(grey, 255.0),
                )
            )
    finally:
        document.close()
    return Template(layout=layout, pages=pages, size=size)


# --- one page -------------------------------------------------------------------------------


@dataclass
class PageReading:
    """What one page of a file says. `refused`: not a page of this session's paper at all
    (message says why); otherwise `page`/`pages` from its code, the rows read on it, and the
    doubts that hold its ballot."""

    index: int
    refused: str = ""
    page: int = 0
    pages: int = 0
    marks: dict[int, str] = field(default_factory=dict)
    ink: dict[int, dict[str, float]] = field(default_factory=dict)
    # Per row: darkness in the name cells beyond the print's, as a share of the print's.
    label_excess: dict[int, float] = field(default_factory=dict)
    # Per row: how far (mm) ink off the print runs along one line of the name cells.
    stroke: dict[int, float] = field(default_factory=dict)
    doubts: list[str] = field(default_factory=list)
    # The page as mapped onto the paper (canonical, grey, JPEG): for the record and review.
    image: bytes = b""


def _working_copy(grey: np.ndarray) -> np.ndarray:
    """The page at no more than about 8 pixels a millimetre (assuming roughly A4): halved, as
    often as needed, which OpenCV does fast (a 300 dpi scan becomes 150 dpi)."""
    while max(grey.shape) / 297.0 > WORK_MAX_PX_PER_MM:
        grey = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return grey


_LOCAL = threading.local()


def _detectors() -> list:
    """OpenCV's QR detectors: the ArUco-based one first (finds more codes on noisy 1-bit
    scans, and faster), the classic one as a second opinion. One pair per thread: OpenCV's
    detector objects are not meant to be shared between threads."""
    if not hasattr(_LOCAL, "detectors"):
        _LOCAL.detectors = [cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()]
    return _LOCAL.detectors


def _find_code(grey: np.ndarray) -> tuple[str, np.ndarray] | None:
    """The text of the page's QR code and its corners (in the code's own order: top-left,
    top-right, bottom-right, bottom-left), looking first where the code is on an upright or
    an upside-down page, then anywhere."""
    h, w = grey.shape
    regions = [
        (int(h * 0.8), h, 0, int(w * 0.36)),  # bottom-left: upright
        (0, int(h * 0.2), int(w * 0.64), w),  # top-right: upside down
        (0, h, 0, w),
    ]
    for y0, y1, x0, x1 in regions:
        crop = grey[y0:y1, x0:x1]
        for detector in _detectors():
            try:
                text, points, _straight = detector.detectAndDecode(crop)
            except cv2.error:
                continue
            if text and points is not None:
                corners = points.reshape(-1, 2).astype(np.float64) + (x0, y0)
                return text, corners
    return None


def _find_mark(grey: np.ndarray, center: np.ndarray, size_px: float) -> np.ndarray | None:
    """The centre of the solid square mark nearest `center`, searched in a window around it."""
    h, w = grey.shape
    radius = int(size_px * 2.2)
    x0, y0 = max(int(center[0]) - radius, 0), max(int(center[1]) - radius, 0)
    x1, y1 = min(int(center[0]) + radius, w), min(int(center[1]) + radius, h)
    if x1 - x0 < size_px or y1 - y0 < size_px:
        return None
    window = grey[y0:y1, x0:x1]
    _level, binary = cv2.threshold(window, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    expected = size_px * size_px
    best, best_distance = None, None
    for label in range(1, count):
        x, y, bw, bh, area = stats[label]
        if not 0.55 * expected <= area <= 1.6 * expected:
            continue
        if not 0.7 <= bw / max(bh, 1) <= 1.4 or area < 0.75 * bw * bh:
            continue
        found = centroids[label] + (x0, y0)
        distance = float(np.hypot(*(found - center)))
        if best_distance is None or distance < best_distance:
            best, best_distance = found, distance
    return best


def _canonical_points(rect: Rect) -> np.ndarray:
    return np.array(rect.corners(), dtype=np.float64) * PX_PER_MM


def _transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2)


def _payload_refused(payload, layout) -> str:
    """Why a page's code refuses it for this session's paper, or ""."""
    if payload is None:
        return str(_("its QR code is not a ballot code of this software"))
    if payload.session_id != layout.session_id:
        return str(
            _("this is a ballot paper of another session (session %(id)d)")
            % {"id": payload.session_id}
        )
    if payload.fingerprint != layout.fingerprint or payload.pages != layout.page_count:
        return str(
            _(
                "this ballot paper was printed for another version of the session's ballot "
                "(officials, order or layout changed since)"
            )
        )
    return ""


def read_page(grey: np.ndarray, template: Template, *, index: int) -> PageReading:
    """Read one page (grey pixels, any resolution and orientation)."""
    reading = PageReading(index=index)
    if grey.size == 0 or min(grey.shape) < 200:
        reading.refused = _("the image is too small to be a scanned page")
        return reading
    work = _working_copy(grey)
    found = _find_code(work)
    if found is None:
        reading.refused = _(
            "no ballot code found: a blank page, another paper, or a scan too poor to read"
        )
        return reading
    text, code_corners = found
    payload = parse_payload(text)
    refused = _payload_refused(payload, template.layout)
    if refused or payload is None:
        reading.refused = refused
        return reading
    reading.page, reading.pages = payload.page, payload.pages
    page_template = template.pages[payload.page - 1]
    page_layout = page_template.layout

    # A first estimate from the code alone (rotation, scale, shift), good enough to find the
    # corner marks; then the homography from the marks and the code together.
    code_canonical = _canonical_points(page_layout.qr)
    estimate, _inliers = cv2.estimateAffinePartial2D(code_canonical, code_corners)
    if estimate is None:
        reading.refused = _("the ballot code was found but the page cannot be aligned")
        return reading
    scale = float(np.hypot(estimate[0, 0], estimate[0, 1]))  # work px per canonical px
    mark_centers = np.array([m.center for m in page_layout.marks]) * PX_PER_MM
    predicted = mark_centers @ estimate[:, :2].T + estimate[:, 2]
    mark_size = page_layout.marks[0].width * PX_PER_MM * scale
    source, target, missing = [], [], []
    for corner, (center, guess) in enumerate(zip(mark_centers, predicted, strict=True)):
        found_mark = _find_mark(work, guess, mark_size)
        if found_mark is None:
            missing.append(corner)
        else:
            source.append(center)
            target.append(found_mark)
    if len(missing) > 1:
        reading.refused = _(
            "%(count)d of the four corner marks cannot be found: a torn, folded or cut page, "
            "or a photo taken at a slant"
        ) % {"count": len(missing)}
        return reading
    if missing:
        reading.doubts.append(
            _("page %(page)d: a corner mark is missing (torn or folded corner?)")
            % {"page": payload.page}
        )
    source_points = np.vstack([np.array(source), code_canonical])
    target_points = np.vstack([np.array(target), code_corners])
    matrix, _mask = cv2.findHomography(source_points, target_points, 0)
    if matrix is None:
        reading.refused = _("the page cannot be aligned from its corner marks")
        return reading
    marks_only = len(source_points) - 4
    error = np.hypot(
        *(_transform(source_points[:marks_only], matrix) - target_points[:marks_only]).T
    )
    if error.size and error.max() / (scale * PX_PER_MM) > MAX_MARK_ERROR_MM:
        reading.doubts.append(
            _("page %(page)d: the corner marks do not line up (a bent or creased page?)")
            % {"page": payload.page}
        )

    canonical = cv2.warpPerspective(
        work,
        matrix,
        template.size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    _read_ink(reading, canonical, page_template)
    ok, encoded = cv2.imencode(".jpg", canonical, [cv2.IMWRITE_JPEG_QUALITY, IMAGE_QUALITY])
    reading.image = encoded.tobytes() if ok else b""
    return reading


def _levels(canonical: np.ndarray, printed: np.ndarray) -> tuple[float, float]:
    """The page's paper and printed black, as this scan renders them."""
    paper = float(np.percentile(canonical[::4, ::4], 90))
    print_pixels = canonical[::2, ::2][printed[::2, ::2] > 0]
    black = float(np.percentile(print_pixels, 30)) if print_pixels.size else 0.0
    return paper, black


def _ink_mask(canonical: np.ndarray, paper: float, black: float) -> np.ndarray | None:
    """Pixels darker than paper by INK_LEVEL of the way to printed black; None without contrast."""
    if paper - black < 60:
        return None
    level = paper - INK_LEVEL * (paper - black)
    return (canonical < level).astype(np.uint8)


def _solid_area(mask: np.ndarray, min_area: float, close: np.ndarray | None = None) -> int:
    """Ink pixels of the mask in pieces of at least min_area pixels: specks dropped. Pieces
    are found after a small closing (`close`, 3 × 3 px by default), so a thin pencil line
    broken by the scanner's threshold still counts as one stroke."""
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _CLOSE if close is None else close)
    count, labels, _stats, _centroids = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if count < 2:
        return 0
    ink_per_piece = np.bincount(labels[mask > 0], minlength=count)
    return int(ink_per_piece[1:][ink_per_piece[1:] >= min_area].sum())


_CLOSE = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
# A faint pencil line that a 1-bit scan at 150 dpi leaves as a trail of dots farther apart
# than the small closing joins (about 1 mm): joined by this one, it is no longer specks.
_CLOSE_DOTTED = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))


def _read_ink(reading: PageReading, canonical: np.ndarray, page: PageTemplate) -> None:
    paper, black = _levels(canonical, page.printed)
    ink = _ink_mask(canonical, paper, black)
    number = reading.page
    if ink is None:
        reading.doubts.append(
            _("page %(page)d: too faint or too dark to read (check the scanner's settings)")
            % {"page": number}
        )
        for row in page.layout.rows:
            reading.marks[row.order] = UNCLEAR
        return
    _read_boxes(reading, ink, page)
    crossed = _labels_over_printed(reading, canonical, page)
    crossed |= _strokes_over_names(reading, canonical, page, paper=paper, black=black)
    _writing(reading, ink, page, crossed)


def _read_boxes(reading: PageReading, ink: np.ndarray, page: PageTemplate) -> None:
    """Each row's boxes: marked, empty, several, or unclear."""
    speck = SPECK_MM2 * PX_PER_MM * PX_PER_MM
    for row in page.layout.rows:
        shares = {}
        dotted = []
        for level in LEVELS:
            inner = ink[_slice(row.boxes[level], BOX_INSET_MM)]
            shares[level] = _solid_area(inner, speck) / max(inner.size, 1)
            if shares[level] < EMPTY_BELOW and inner.any():
                # Clearly empty only if no trail of dots makes a stroke either.
                joined = _solid_area(inner, speck, _CLOSE_DOTTED) / max(inner.size, 1)
                if joined >= EMPTY_BELOW:
                    dotted.append(level)
        reading.ink[row.order] = shares
        marked = [level for level in LEVELS if shares[level] > MARKED_ABOVE]
        unclear = [level for level in LEVELS if EMPTY_BELOW <= shares[level] <= MARKED_ABOVE]
        unclear += dotted
        if unclear:
            reading.marks[row.order] = UNCLEAR
            reading.doubts.append(
                _("row %(order)d: a box is neither clearly empty nor clearly marked")
                % {"order": row.order}
            )
        elif len(marked) > 1:
            reading.marks[row.order] = SEVERAL
        elif marked:
            reading.marks[row.order] = marked[0]
        else:
            reading.marks[row.order] = NO_MARK


def _labels_over_printed(
    reading: PageReading, canonical: np.ndarray, page: PageTemplate
) -> set[int]:
    """The rows whose name cells hold more ink than their print: crossed out, perhaps."""
    # Over a name: more ink in the row's number, name and position cells than the print
    # accounts for. The print's weight on this scan (thicker or thinner than the template) is
    # the rows' median, or the whole page's with fewer than three rows.
    cells = [_slice(row.label, LABEL_INSET_MM) for row in page.layout.rows]
    paper = float(np.percentile(canonical[::4, ::4], 90))
    printed = [float(page.darkness[c].sum()) for c in cells]
    scanned = [float(_darkness(canonical[c], paper).sum()) for c in cells]
    if len(cells) >= 3:
        weight = float(np.median([s / p for s, p in zip(scanned, printed, strict=True) if p]))
    else:
        zone = page.print_zone > 0
        printed_here = float(page.darkness[zone].sum())
        weight = (
            float(_darkness(canonical[zone], paper).sum()) / printed_here if printed_here else 1.0
        )
    crossed: set[int] = set()
    for row, printed_ink, scanned_ink in zip(page.layout.rows, printed, scanned, strict=True):
        expected = printed_ink * weight
        excess = scanned_ink - expected
        reading.label_excess[row.order] = round(excess / max(expected, 1.0), 3)
        if excess > LABEL_EXCESS_SHARE * expected:
            crossed.add(row.order)
    return crossed


def _strokes_over_names(
    reading: PageReading, canonical: np.ndarray, page: PageTemplate, *, paper: float, black: float
) -> set[int]:
    """The rows whose name cells carry a line the print does not: a name struck through,
    however lightly. The threshold is relative to this page's paper and print (grey or 1-bit
    alike), so a pencil line on a grey scan counts; each row's print is aligned to the scan
    (a shift of a few pixels) before the ink off it is taken, so the print's own edges do not.
    A line through a name shows between its letters and words: counted along a thin band."""
    level = paper - STROKE_CONTRAST * (paper - black)
    search = _px(ALIGN_MM)
    height, width = page.printed.shape
    widen = np.ones((2 * STROKE_TOLERANCE_PX + 1, 2 * STROKE_TOLERANCE_PX + 1), np.uint8)
    band = np.ones((STROKE_BAND_PX, 1), np.uint8)
    struck: set[int] = set()
    for row in page.layout.rows:
        # Clear of the row's rules above and below, which a slightly bent page moves most.
        label = row.label
        y0, y1 = (
            _px(label.y + STROKE_ROW_INSET_MM),
            _px(label.y + label.height - STROKE_ROW_INSET_MM),
        )
        x0, x1 = _px(label.x + LABEL_INSET_MM), _px(label.x + label.width - LABEL_INSET_MM)
        ys, xs = slice(y0, y1), slice(x0, x1)
        if y0 < search or x0 < search or y1 + search > height or x1 + search > width:
            continue
        scanned = (canonical[ys, xs] < level).astype(np.uint8)
        if not scanned.any():
            reading.stroke[row.order] = 0.0
            continue
        around = page.printed[y0 - search : y1 + search, x0 - search : x1 + search]
        match = cv2.matchTemplate(
            around.astype(np.float32), scanned.astype(np.float32), cv2.TM_CCORR
        )
        _low, _high, _at_low, (dx, dy) = cv2.minMaxLoc(match)
        printed = around[dy : dy + y1 - y0, dx : dx + x1 - x0]
        off_print = cv2.dilate(printed, widen) == 0
        extra = (scanned.astype(bool) & off_print).astype(np.uint8)
        run = 0.0
        if extra.any():
            run = float(cv2.dilate(extra, band).sum(axis=1).max()) / PX_PER_MM
        reading.stroke[row.order] = round(run, 2)
        if run >= STROKE_MM:
            struck.add(row.order)
    return struck


def _writing(reading: PageReading, ink: np.ndarray, page: PageTemplate, crossed: set[int]) -> None:
    """Writing where the clean paper has no ink and no box: over a name, or anywhere else."""
    number = reading.page
    mm2 = PX_PER_MM * PX_PER_MM
    extra = ink & (1 - page.allowed)
    piece = WRITING_PIECE_MM2 * PX_PER_MM * PX_PER_MM
    if int(extra.sum()) < piece:
        extra[:] = 0  # nothing to sort into pieces (most pages)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(extra, connectivity=8)
    per_row: dict[int, float] = {}
    elsewhere = 0.0
    for label in range(1, count):
        area = float(stats[label, cv2.CC_STAT_AREA])
        if area < piece:
            continue
        cx, cy = centroids[label] / PX_PER_MM
        row_order = next(
            (
                row.order
                for row in page.layout.rows
                if row.label.x <= cx <= row.label.x + row.label.width
                and row.label.y <= cy <= row.label.y + row.label.height
            ),
            None,
        )
        if row_order is None:
            elsewhere += area
        else:
            per_row[row_order] = per_row.get(row_order, 0.0) + area
    crossed |= {order for order, area in per_row.items() if area / mm2 >= ROW_WRITING_MM2}
    for order in sorted(crossed):
        reading.doubts.append(
            _("row %(order)d: writing over the name or position (crossed out?)") % {"order": order}
        )
    if elsewhere / mm2 >= PAGE_WRITING_MM2:
        reading.doubts.append(
            _("page %(page)d: writing outside the boxes (a name added?)") % {"page": number}
        )


# --- a file: pages into ballots ---------------------------------------------------------------


@dataclass
class BallotReading:
    """One ballot: its pages (in scan order), the mark per official ("?" where unclear) and
    why it is held (empty: the reading is certain and may be counted)."""

    pages: list[PageReading]
    marks: dict[int, str]
    reasons: list[str]

    @property
    def held(self) -> bool:
        return bool(self.reasons)


@dataclass
class FileReading:
    name: str
    pages: int = 0
    ballots: list[BallotReading] = field(default_factory=list)
    # (page index in the file, why it was refused)
    refused: list[tuple[int, str]] = field(default_factory=list)
    problem: str = ""  # the file as a whole cannot be read

    def refused_messages(self) -> list[str]:
        return [
            _("%(file)s, page %(index)d: %(reason)s")
            % {"file": self.name, "index": index, "reason": reason}
            for index, reason in self.refused
        ]


def _ballot(pages: list[PageReading], layout: BallotLayout, extra: list[str]) -> BallotReading:
    marks: dict[int, str] = {}
    reasons = list(extra)
    for page in pages:
        marks.update(page.marks)
        reasons.extend(page.doubts)
    for order in layout.orders:
        marks.setdefault(order, UNCLEAR)
    return BallotReading(pages=pages, marks=dict(sorted(marks.items())), reasons=reasons)


def group_pages(readings: Iterable[PageReading], layout: BallotLayout) -> list[BallotReading]:
    """Pages into ballots by their "page k of n", in scan order. A ballot whose pages are not
    1, 2, …, n in a row is held, with the pages it has and what is missing or repeated."""
    ballots: list[BallotReading] = []
    current: list[PageReading] = []
    problems: list[str] = []

    def close() -> None:
        nonlocal current, problems
        if not current:
            return
        have = [page.page for page in current]
        expected = list(range(1, current[0].pages + 1))
        missing = [k for k in expected if k not in have]
        if missing:
            problems.append(
                _("page(s) %(pages)s of %(count)d missing")
                % {"pages": ", ".join(map(str, missing)), "count": len(expected)}
            )
        ballots.append(_ballot(current, layout, problems))
        current, problems = [], []

    def complete() -> bool:
        return bool(current) and len({page.page for page in current}) == current[0].pages

    for reading in readings:
        if reading.refused:
            # Not a page of ours: a complete ballot before it is done; an incomplete one
            # stays open (the refused page may be its missing page: it will say so).
            if complete():
                close()
            continue
        if reading.page == 1:
            close()
            current = [reading]
        elif current and reading.page == current[-1].page + 1:
            current.append(reading)
        elif current and reading.page in [page.page for page in current]:
            problems.append(
                _("page %(page)d appears twice (file page %(index)d)")
                % {"page": reading.page, "index": reading.index}
            )
            current.append(reading)
        else:
            close()
            current = [reading]
    close()
    return ballots


# Told after each page: (pages read, pages in the file as far as known, 0 if not).
Progress = Callable[[int, int], None]


def read_file(
    content: bytes, *, name: str, template: Template, progress: Progress | None = None
) -> FileReading:
    """Every page of one scan file, read and grouped into ballots. Never raises for bad
    input: a file that cannot be read at all has `problem`, a page that is not ours is in
    `refused` with its page number. `progress` is called after every page."""
    result = FileReading(name=name)
    readings: list[PageReading] = []
    total = page_count(content) if progress is not None else 0
    try:
        for source in iter_pages(content, name=name):
            result.pages += 1
            readings.append(_read_source(source, template))
            if progress is not None:
                progress(result.pages, max(total, result.pages))
    except ScanFileError as exc:
        result.problem = str(exc)
        return result
    result.refused = [(r.index, r.refused) for r in readings if r.refused]
    result.ballots = group_pages(readings, template.layout)
    return result


def _read_source(source: SourcePage, template: Template) -> PageReading:
    if source.image is None:
        return PageReading(index=source.index, refused=source.problem)
    try:
        return read_page(source.image, template, index=source.index)
    except cv2.error as exc:  # an image OpenCV cannot work on at all
        return PageReading(
            index=source.index, refused=_("the page cannot be processed (%s)") % exc.msg
        )

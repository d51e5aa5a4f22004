"""Where everything is on the machine-readable ballot paper, in millimetres from the top-left
corner of the page, and what its QR code says.

The layout is measured from the rendered paper (reports.documents.ballot_layout), never
guessed; its fingerprint covers the session, the officials in ballot order, the levels and the
position of every box, so a paper printed before a change is refused, not misread.
"""

import hashlib
import json
import re
from dataclasses import dataclass

# The columns of the ballot, left to right: high, medium, low confidence.
LEVELS: tuple[str, ...] = ("H", "M", "L")
# Bump when the QR payload's format changes.
PAYLOAD_PREFIX = "CV1"
FINGERPRINT_LENGTH = 16
_PAYLOAD = re.compile(r"^CV1:(\d+):([0-9A-F]{16}):(\d+):(\d+)$")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def corners(self) -> list[tuple[float, float]]:
        """Top-left, top-right, bottom-right, bottom-left."""
        x2, y2 = self.x + self.width, self.y + self.height
        return [(self.x, self.y), (x2, self.y), (x2, y2), (self.x, y2)]

    def rounded(self) -> list[float]:
        return [round(v, 2) for v in (self.x, self.y, self.width, self.height)]


@dataclass(frozen=True)
class RowPlace:
    """One official's row on a page: the cells with the number, name and position (where a
    crossed-out name shows) and the three boxes, keyed by level."""

    order: int
    label: Rect
    boxes: dict[str, Rect]


@dataclass(frozen=True)
class PageLayout:
    number: int
    # The four corner marks: top-left, top-right, bottom-right, bottom-left.
    marks: tuple[Rect, Rect, Rect, Rect]
    qr: Rect
    rows: tuple[RowPlace, ...]


@dataclass(frozen=True)
class BallotLayout:
    session_id: int
    fingerprint: str
    width: float
    height: float
    pages: tuple[PageLayout, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def orders(self) -> list[int]:
        return [row.order for page in self.pages for row in page.rows]

    def as_dict(self) -> dict:
        """What `render_document … --layout FILE.json` writes."""
        return {
            "session": self.session_id,
            "fingerprint": self.fingerprint,
            "unit": "mm",
            "origin": "top-left corner of the page",
            "page_width": self.width,
            "page_height": self.height,
            "pages": [
                {
                    "page": page.number,
                    "corner_marks": [dict(_rect(m)) for m in page.marks],
                    "qr": dict(_rect(page.qr)),
                    "rows": [
                        {"order": row.order, "label": dict(_rect(row.label))} for row in page.rows
                    ],
                }
                for page in self.pages
            ],
            "boxes": [
                {"page": page.number, "order": row.order, "level": level, **_rect(rect)}
                for page in self.pages
                for row in page.rows
                for level, rect in row.boxes.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "BallotLayout":
        boxes: dict[tuple[int, int], dict[str, Rect]] = {}
        for box in data["boxes"]:
            boxes.setdefault((box["page"], box["order"]), {})[box["level"]] = _from(box)
        pages = []
        for page in data["pages"]:
            rows = tuple(
                RowPlace(
                    order=row["order"],
                    label=_from(row["label"]),
                    boxes={level: boxes[(page["page"], row["order"])][level] for level in LEVELS},
                )
                for row in page["rows"]
            )
            top_left, top_right, bottom_left, bottom_right = (
                _from(m) for m in page["corner_marks"]
            )
            marks = (top_left, top_right, bottom_left, bottom_right)
            pages.append(
                PageLayout(number=page["page"], marks=marks, qr=_from(page["qr"]), rows=rows)
            )
        return cls(
            session_id=data["session"],
            fingerprint=data["fingerprint"],
            width=data["page_width"],
            height=data["page_height"],
            pages=tuple(pages),
        )


def _rect(rect: Rect) -> dict:
    x, y, w, h = rect.rounded()
    return {"x": x, "y": y, "width": w, "height": h}


def _from(data: dict) -> Rect:
    return Rect(data["x"], data["y"], data["width"], data["height"])


def layout_fingerprint(
    *, session_id: int, officials: list[tuple[int, str, str]], pages: list[PageLayout]
) -> str:
    """16 hex digits over the session, the officials (order, name, position) in ballot order,
    the levels and where every box, mark and code sits (to 0.1 mm)."""
    content = {
        "session": session_id,
        "officials": [list(item) for item in officials],
        "levels": list(LEVELS),
        "pages": [
            {
                "marks": [[round(v, 1) for v in m.rounded()] for m in page.marks],
                "qr": [round(v, 1) for v in page.qr.rounded()],
                "rows": [
                    [row.order, *[[round(v, 1) for v in row.boxes[lv].rounded()] for lv in LEVELS]]
                    for row in page.rows
                ],
            }
            for page in pages
        ],
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return digest[:FINGERPRINT_LENGTH].upper()


@dataclass(frozen=True)
class Payload:
    session_id: int
    fingerprint: str
    page: int
    pages: int


def payload_text(*, session_id: int, fingerprint: str, page: int, pages: int) -> str:
    """The QR code's text: upper case and digits only, so it fits a small alphanumeric code."""
    return f"{PAYLOAD_PREFIX}:{session_id}:{fingerprint}:{page}:{pages}"


def parse_payload(text: str) -> Payload | None:
    """The payload of one of our codes, or None for anything else."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    session_id, fingerprint, page, pages = match.groups()
    page, pages = int(page), int(pages)
    if not 1 <= page <= pages:
        return None
    return Payload(int(session_id), fingerprint, page, pages)

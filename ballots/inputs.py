"""What a ballot entry carries into the services, wherever it comes from
(the entry screen, a CSV or .xlsx file)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BallotInput:
    # The entry number within the session and entry pass; None: the next free one.
    number: int | None
    # Mark per official, keyed by the official's ballot order (1, 2, ...):
    # "high", "medium", "low", "none" (no box ticked) or "several" (two or three ticked).
    marks: dict[int, str] = field(default_factory=dict)
    # Non-empty: the whole ballot is invalid and its marks are ignored
    # ("not_issued", "name_crossed_out", "name_added", "other").
    invalid_reason: str = ""
    invalid_note: str = ""

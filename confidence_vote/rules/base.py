from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from django.utils.functional import Promise

PercentageBase = Literal["collected", "convened"]


@dataclass(frozen=True)
class RuleProfile:
    code: str
    name: str | Promise
    # The citation printed on documents, in Vietnamese as the law is written.
    legal_basis: str
    # Share of the convened who must be present for the meeting to proceed.
    quorum: Fraction
    quorum_basis: str
    # What the three percentages are taken over.
    percentage_base: PercentageBase
    # Whether a defect in one official's row (no box, or several boxes) voids
    # the whole ballot instead of only that row.
    row_defect_voids_ballot: bool
    # Whether a low-confidence share of exactly 2/3 falls in the "two thirds" band.
    two_thirds_inclusive: bool

    def quorum_required(self, convened: int) -> int:
        """The smallest number present that meets the quorum (exact, rounded up)."""
        if convened < 0:
            raise ValueError("convened cannot be negative")
        required = self.quorum * convened
        return -(-required.numerator // required.denominator)

    def quorum_met(self, *, convened: int, present: int) -> bool:
        return convened > 0 and present >= self.quorum_required(convened)

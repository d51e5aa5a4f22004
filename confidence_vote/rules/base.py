from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from django.utils.functional import Promise

from confidence_vote.lib.numbers import percentage

PercentageBase = Literal["collected", "convened"]
Band = Literal["none", "over_half", "two_thirds"]


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

    def base(self, *, collected: int, convened: int) -> int:
        """What the percentages and bands are taken over."""
        return collected if self.percentage_base == "collected" else convened

    def share(self, count: int, *, base: int):
        """count / base as a Decimal percentage, rounded half-up to 2 places."""
        return percentage(count, base)

    def band(self, low: int, *, base: int) -> Band:
        """The low-confidence band, in exact integer arithmetic on the same base as the
        percentages: "two_thirds" from 2/3 (or over 2/3, by the profile), "over_half" when
        more than 1/2 and below that, else "none"."""
        if base <= 0:
            return "none"
        two_thirds = 3 * low >= 2 * base if self.two_thirds_inclusive else 3 * low > 2 * base
        if two_thirds:
            return "two_thirds"
        if 2 * low > base:
            return "over_half"
        return "none"

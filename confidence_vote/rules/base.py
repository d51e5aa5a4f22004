from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.numbers import percentage

PercentageBase = Literal["collected", "convened"]
Band = Literal["none", "over_half", "two_thirds"]
# Who the body is: a Party body (Quy định 96-QĐ/TW) or an elected body (Quốc hội, HĐND).
BodyKind = Literal["party", "elected"]


@dataclass(frozen=True)
class Words:
    """The words a body uses for its meeting and its count, in Vietnamese as written.

    A session may override each of them (see VoteSession.words)."""

    # Who presides: "Chủ trì" (Party conference) or "Chủ tọa" (a council's session).
    presiding: str
    # The counting body and its head and members.
    counting_body: str
    counting_head: str
    counting_member: str
    # The "on behalf of" prefix of a collective signature: "T/M" (Party) or "TM." (State);
    # a deputy signs "KT." (State).
    on_behalf: str
    deputy: str
    # The short title of whoever signs the report, e.g. "BÍ THƯ" or "CHỦ TỊCH".
    signer_title: str


PARTY_WORDS = Words(
    presiding="Chủ trì",
    counting_body="Tổ kiểm phiếu",
    counting_head="Tổ trưởng",
    counting_member="Thành viên",
    on_behalf="T/M",
    deputy="K/T",
    signer_title="BÍ THƯ",
)
ELECTED_WORDS = Words(
    presiding="Chủ tọa",
    counting_body="Ban kiểm phiếu",
    counting_head="Trưởng ban",
    counting_member="Ủy viên",
    on_behalf="TM.",
    deputy="KT.",
    signer_title="CHỦ TỊCH",
)


@dataclass(frozen=True)
class RuleProfile:
    code: str
    name: str | Promise
    # The citation printed on documents, in Vietnamese as the law is written: the act's
    # number, date, issuer and full title.
    legal_basis: str
    # The act's number as it is cited ("96-QĐ/TW", "96/2023/QH15"), to find it in a session's
    # own "Thực hiện …" line and print the act once.
    act_number: str
    # Share of the convened who must be present for the meeting to proceed.
    quorum: Fraction
    quorum_basis: str
    # What the three percentages are taken over by default ...
    percentage_base: PercentageBase
    # Whether a defect in one official's row (no box, or several boxes) voids
    # the whole ballot instead of only that row.
    row_defect_voids_ballot: bool
    # Whether a low-confidence share of exactly 2/3 falls in the "two thirds" band.
    two_thirds_inclusive: bool
    # ... and which bases a session of this profile may choose instead.
    percentage_bases: tuple[PercentageBase, ...] = ()
    body: BodyKind = "party"
    words: Words = PARTY_WORDS
    # The base in the law's words, as printed in documents and exports.
    base_words: dict[str, str] = field(
        default_factory=lambda: {
            "collected": "tổng số phiếu thu về",
            "convened": "tổng số người được triệu tập",
        }
    )
    # Further "Căn cứ" lines of the confirming resolution (elected bodies), before the act.
    resolution_bases: tuple[str, ...] = ()

    # --- numbers -------------------------------------------------------------------------

    def quorum_required(self, convened: int) -> int:
        """The smallest number present that meets the quorum (exact, rounded up)."""
        if convened < 0:
            raise ValueError("convened cannot be negative")
        required = self.quorum * convened
        return -(-required.numerator // required.denominator)

    def quorum_met(self, *, convened: int, present: int) -> bool:
        return convened > 0 and present >= self.quorum_required(convened)

    def allowed_bases(self) -> tuple[PercentageBase, ...]:
        return self.percentage_bases or (self.percentage_base,)

    def base_for(self, chosen: str = "") -> PercentageBase:
        """The base a session uses: its own choice when this profile allows it, else the
        profile's default."""
        if chosen and chosen in self.allowed_bases():
            return chosen
        return self.percentage_base

    def base(self, *, collected: int, convened: int, chosen: str = "") -> int:
        """What the percentages and bands are taken over."""
        return collected if self.base_for(chosen) == "collected" else convened

    def share(self, count: int, *, base: int):
        """count / base as a Decimal percentage, rounded half-up to 2 places."""
        return percentage(count, base)

    def over_half(self, count: int, *, base: int) -> bool:
        """More than half of the base: the threshold the bands and summaries start from."""
        return base > 0 and 2 * count > base

    def band(self, low: int, *, base: int) -> Band:
        """The low-confidence band, in exact integer arithmetic on the same base as the
        percentages: "two_thirds" from 2/3 (or over 2/3, by the profile), "over_half" when
        more than 1/2 and below that, else "none"."""
        if base <= 0:
            return "none"
        two_thirds = 3 * low >= 2 * base if self.two_thirds_inclusive else 3 * low > 2 * base
        if two_thirds:
            return "two_thirds"
        if self.over_half(low, base=base):
            return "over_half"
        return "none"

    # --- wording (the one place the documents, exports and pages take it from) -----------

    over_half_words = "trên 1/2"

    def band_words(self, band: str) -> str:
        """The band as documents write it ("trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp");
        "" for none."""
        if band == "over_half":
            upper = "dưới 2/3" if self.two_thirds_inclusive else "2/3"
            return f"{self.over_half_words} đến {upper} phiếu tín nhiệm thấp"
        if band == "two_thirds":
            if self.two_thirds_inclusive:
                return "từ 2/3 phiếu tín nhiệm thấp trở lên"
            return "trên 2/3 phiếu tín nhiệm thấp"
        return ""

    def band_note(self, band: str) -> str:
        """The band as a table note, capitalised; "" for none."""
        words = self.band_words(band)
        return words[:1].upper() + words[1:]

    def band_label(self, band: str) -> str:
        """The band on the screens, in the reader's language; "" for none."""
        if band == "over_half":
            if self.two_thirds_inclusive:
                return str(_("Over 1/2 and under 2/3 low-confidence votes"))
            return str(_("Over 1/2 and up to 2/3 low-confidence votes"))
        if band == "two_thirds":
            if self.two_thirds_inclusive:
                return str(_("2/3 or more low-confidence votes"))
            return str(_("Over 2/3 low-confidence votes"))
        return ""

    def base_sentence(self, chosen: str = "") -> str:
        """ "tỷ lệ % tính trên tổng số đại biểu": the base in the law's words."""
        return f"tỷ lệ % tính trên {self.base_words[self.base_for(chosen)]}"

    def base_label(self, chosen: str = "") -> str:
        """The base on the screens, in the reader's language."""
        if self.base_for(chosen) == "collected":
            return str(_("over the ballots collected"))
        if self.body == "elected":
            return str(_("over the total number of deputies, present or not"))
        return str(_("over all convened, present or not"))

"""Exact shares: integers in, Decimal out, one rounding rule, Vietnamese writing at the edge."""

from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def percentage(part: int, whole: int) -> Decimal:
    """part / whole as a percentage, rounded half-up to 2 places; 0.00 when whole is 0."""
    if whole <= 0:
        return Decimal("0.00")
    return round_half_up(Decimal(part) * 100 / Decimal(whole))


def round_half_up(value: Decimal) -> Decimal:
    """The one rounding helper: half-up to 2 decimal places."""
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def vn_decimal(value: Decimal) -> str:
    """Decimal written the Vietnamese way: 40.43 -> "40,43", 1234.5 -> "1.234,50"."""
    text = f"{round_half_up(value):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(value: Decimal) -> str:
    """ "40,43%" """
    return f"{vn_decimal(value)}%"

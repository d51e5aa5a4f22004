import pytest

from confidence_vote.rules import ASSEMBLY_96_2023, PARTY_96_2023, get_profile


@pytest.mark.parametrize(
    ("convened", "required"),
    [(31, 21), (30, 20), (3, 2), (1, 1), (2, 2), (47, 32), (480, 320), (0, 0)],
)
def test_quorum_required_is_two_thirds_rounded_up(convened, required):
    assert PARTY_96_2023.quorum_required(convened) == required
    assert ASSEMBLY_96_2023.quorum_required(convened) == required


def test_quorum_met_at_the_boundary():
    assert PARTY_96_2023.quorum_met(convened=31, present=21)
    assert not PARTY_96_2023.quorum_met(convened=31, present=20)
    assert PARTY_96_2023.quorum_met(convened=31, present=28)


def test_nobody_convened_is_never_a_quorum():
    assert not PARTY_96_2023.quorum_met(convened=0, present=0)


def test_profiles_differ_in_percentage_base():
    assert get_profile("party-96-2023").percentage_base == "collected"
    assert get_profile("assembly-96-2023").percentage_base == "convened"
    assert "96-QĐ/TW" in PARTY_96_2023.legal_basis
    assert "96/2023/QH15" in ASSEMBLY_96_2023.legal_basis


from decimal import Decimal  # noqa: E402

from confidence_vote.lib.numbers import percentage, vn_percent  # noqa: E402


@pytest.mark.parametrize(
    ("low", "base", "band"),
    [
        (14, 28, "none"),  # exactly 1/2: no band
        (15, 28, "over_half"),  # one more
        (18, 27, "two_thirds"),  # exactly 2/3, at least 2/3 by default
        (17, 27, "over_half"),  # just under 2/3
        (19, 28, "two_thirds"),  # 19/28 > 2/3
        (0, 28, "none"),
        (0, 0, "none"),
    ],
)
def test_bands_at_the_boundaries(low, base, band):
    assert PARTY_96_2023.band(low, base=base) == band


def test_exactly_two_thirds_when_the_profile_says_over():
    from dataclasses import replace

    strict = replace(PARTY_96_2023, two_thirds_inclusive=False)
    assert strict.band(18, base=27) == "over_half"
    assert strict.band(19, base=27) == "two_thirds"


def test_assembly_base_counts_absent_deputies():
    base = ASSEMBLY_96_2023.base(collected=40, convened=47)
    assert base == 47
    assert ASSEMBLY_96_2023.share(19, base=base) == Decimal("40.43")
    assert vn_percent(ASSEMBLY_96_2023.share(19, base=base)) == "40,43%"
    assert PARTY_96_2023.base(collected=28, convened=31) == 28


def test_percentages_round_half_up():
    assert percentage(1, 8) == Decimal("12.50")
    assert percentage(1, 3) == Decimal("33.33")
    assert percentage(2, 3) == Decimal("66.67")
    assert percentage(1, 200) == Decimal("0.50")
    assert percentage(1, 400) == Decimal("0.25")
    assert percentage(1, 800) == Decimal("0.13")  # 0.125 -> 0.13, not banker's 0.12
    assert percentage(28, 28) == Decimal("100.00")
    assert vn_percent(Decimal("100")) == "100,00%"

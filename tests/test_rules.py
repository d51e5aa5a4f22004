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

"""The tally by the rule profiles, with exact numbers, boundaries and a fixed query count."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from ballots.models import Mark
from ballots.services import ballots_import, count_record_collected, hand_count_record
from confidence_vote import rules
from reports.selectors import tally_for_session
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.ballots import entry, make_counting_session
from tests.factories import make_ready_session


def pile(*ballots):
    """ballots_import rows numbered 1.. from (marks tuple | reason string)."""
    rows = []
    for number, ballot in enumerate(ballots, start=1):
        if isinstance(ballot, str):
            rows.append(entry(number, invalid_reason=ballot))
        else:
            rows.append(entry(number, *ballot, officials=len(ballot)))
    return rows


def seed_session(org, *ballots, issued=28):
    session = make_counting_session(org, issued=issued)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*ballots))
    session.refresh_from_db()
    return session


def test_seed_case_every_official_28_of_28_high(org, django_assert_max_num_queries):
    session = seed_session(org, *[("high",) * 5] * 28)
    with django_assert_max_num_queries(6):
        tally = tally_for_session(session=session)
    data = tally.as_data()
    assert list(data) == [
        "session", "rule_profile", "percentage_base", "convened", "present", "quorum_required",
        "quorum_met", "issued", "collected", "count_closed", "officials",
    ]  # fmt: skip
    assert {k: data[k] for k in list(data)[1:10]} == {
        "rule_profile": "party-96-2023",
        "percentage_base": "collected",
        "convened": 31,
        "present": 28,
        "quorum_required": 21,
        "quorum_met": True,
        "issued": 28,
        "collected": 28,
        "count_closed": False,
    }
    assert list(data["officials"][0]) == [
        "order", "name", "position", "valid", "invalid", "high", "medium", "low",
        "high_pct", "medium_pct", "low_pct", "band",
    ]  # fmt: skip
    assert data["officials"][0] == {
        "order": 1,
        "name": session.officials.get(order=1).full_name,
        "position": "Phó Viện trưởng",
        "valid": 28,
        "invalid": 0,
        "high": 28,
        "medium": 0,
        "low": 0,
        "high_pct": "100.00",
        "medium_pct": "0.00",
        "low_pct": "0.00",
        "band": "none",
    }
    assert len(data["officials"]) == 5
    assert tally.checks_passed


@pytest.mark.parametrize(
    ("low", "band", "low_pct"),
    [(14, "none", "50.00"), (15, "over_half", "53.57"), (19, "two_thirds", "67.86")],
)
def test_low_confidence_bands_over_ballots_collected(org, low, band, low_pct):
    ballots = [("low",) + ("high",) * 4] * low + [("high",) * 5] * (28 - low)
    official = tally_for_session(session=seed_session(org, *ballots)).officials[0]
    assert (official.low, official.band, str(official.low_pct)) == (low, band, low_pct)
    assert official.high == 28 - low


def test_exactly_two_thirds_and_just_under(org):
    # 27 collected: 18 low is exactly 2/3, 17 is just under.
    ballots = [("low",) * 2 + ("high",) * 3] * 17 + [("high", "low") + ("high",) * 3]
    ballots += [("high",) * 5] * 9
    officials = tally_for_session(session=seed_session(org, *ballots, issued=27)).officials
    assert (officials[0].low, officials[0].band) == (17, "over_half")
    assert (officials[1].low, officials[1].band) == (18, "two_thirds")
    assert officials[1].low_pct == Decimal("66.67")


def test_exactly_two_thirds_with_a_strict_profile(org, monkeypatch):
    strict = replace(rules.PARTY_96_2023, two_thirds_inclusive=False)
    monkeypatch.setitem(rules.PROFILES, "party-96-2023", strict)
    ballots = [("low",) + ("high",) * 4] * 18 + [("high",) * 5] * 9
    official = tally_for_session(session=seed_session(org, *ballots, issued=27)).officials[0]
    assert (official.low, official.band) == (18, "over_half")


def test_assembly_base_counts_absent_deputies(org):
    session = make_ready_session(org, convened=47, present=40, officials=2)
    session.rule_profile = "assembly-96-2023"
    session.save()
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=40)
    ballots = [("low", "high")] * 19 + [("high", "medium")] * 21
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*ballots))
    tally = tally_for_session(session=session)
    first, second = tally.officials
    assert tally.as_data()["percentage_base"] == "convened"
    assert (first.low, first.low_pct, first.band) == (19, Decimal("40.43"), "none")
    assert (first.high, first.high_pct) == (21, Decimal("44.68"))
    assert (second.medium, second.medium_pct) == (21, Decimal("44.68"))


def test_row_and_whole_ballot_invalid(org):
    ballots = [("high",) * 5] * 25 + [("high", "none", "several", "high", "high")]
    ballots += ["not_issued", "name_added"]
    tally = tally_for_session(session=seed_session(org, *ballots))
    first, second, third = tally.officials[:3]
    assert (tally.collected, tally.ballots_invalid, tally.ballots_valid) == (28, 2, 26)
    assert (first.valid, first.invalid, first.high, first.high_pct) == (
        26, 2, 26, Decimal("92.86"),
    )  # fmt: skip
    assert (second.valid, second.invalid, second.high) == (25, 3, 25)
    assert (third.valid, third.invalid) == (25, 3)
    assert tally.checks_passed


def test_profile_that_voids_a_ballot_for_a_row_defect(org, monkeypatch):
    voiding = replace(rules.PARTY_96_2023, row_defect_voids_ballot=True)
    monkeypatch.setitem(rules.PROFILES, "party-96-2023", voiding)
    ballots = [("high",) * 5] * 26 + [("low", "none", "high", "high", "high"), "other"]
    tally = tally_for_session(session=seed_session(org, *ballots))
    first, second = tally.officials[:2]
    assert tally.ballots_invalid == 2
    assert (first.valid, first.invalid, first.high, first.low) == (26, 2, 26, 0)
    assert (second.valid, second.invalid) == (26, 2)
    assert tally.checks_passed


def test_hand_count_sheet_stands_when_no_ballot_was_entered(org, chair_session):
    session, chair = chair_session
    count_record_collected(user=chair, session=session, ballots_collected=28)
    rows = dict.fromkeys(range(1, 6), (28, 0, 0, 0)) | {3: (20, 3, 4, 1)}
    hand_count_record(user=chair, session=session, rows=rows)
    session.refresh_from_db()
    tally = tally_for_session(session=session)
    third = tally.officials[2]
    assert tally.source == "tally_sheet"
    assert tally.collected == 28
    assert (third.high, third.medium, third.low, third.invalid, third.valid) == (20, 3, 4, 1, 27)
    assert third.low_pct == Decimal("14.29")
    assert tally.checks_passed


@pytest.fixture
def chair_session(org):
    from tests.ballots import make_chair_user

    chair = make_chair_user(org)
    return make_counting_session(org, chair=chair), chair


def test_a_missing_mark_fails_the_chain_check(org):
    session = seed_session(org, *[("high",) * 5] * 28)
    Mark.objects.filter(ballot__number=3, official__order=2).delete()
    tally = tally_for_session(session=session)
    failed = [check.code for check in tally.checks if not check.passed]
    assert failed == ["official_2_valid"]
    assert not tally.checks_passed


def test_query_count_does_not_grow_with_ballots(org, django_assert_max_num_queries):
    small = seed_session(org, *[("high",) * 5] * 5)
    with django_assert_max_num_queries(6) as few:
        tally_for_session(session=small)
    big = make_counting_session(org, issued=28)
    ballots_import(user=None, session=big, entry_pass=1, rows=pile(*[("medium",) * 5] * 28))
    with django_assert_max_num_queries(len(few.captured_queries)):
        tally_for_session(session=big)


def test_fingerprint_is_sha256_of_canonical_json(org):
    import hashlib

    session = seed_session(org, *[("high",) * 5] * 28)
    tally = tally_for_session(session=session)
    canonical = tally.canonical_json()
    assert json.loads(canonical) == tally.as_data()
    assert tally.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()
    Mark.objects.filter(ballot__number=1, official__order=1).update(value="medium")
    assert tally_for_session(session=session).fingerprint() != tally.fingerprint()

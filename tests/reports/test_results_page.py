"""The results page: the minutes' table, bars, bands, figures, checks, provisional banner."""

import re
from dataclasses import replace

import pytest

from ballots.models import Mark
from ballots.services import ballots_import, count_record_collected, hand_count_record
from confidence_vote import rules
from sessions.models import SessionStatus, VoteSession
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import make_ready_session
from tests.reports.test_tally import pile, seed_session


def url(session):
    return f"/sessions/{session.pk}/results/"


def set_status(session, status):
    VoteSession.objects.filter(pk=session.pk).update(status=status)


@pytest.fixture
def seeded(org):
    return seed_session(org, *[("high",) * 5] * 28)


def test_permissions(login, seeded, secretariat, counting_member, leader, outsider):
    assert login(None).get(url(seeded)).status_code == 302
    assert login(None).get(url(seeded))["Location"].startswith("/accounts/login/")
    assert login(outsider).get(url(seeded)).status_code == 404
    assert login(secretariat).get(url(seeded)).status_code == 403
    assert login(counting_member).get(url(seeded)).status_code == 200
    assert login(leader).get(url(seeded)).status_code == 200
    assert login(leader).post(url(seeded)).status_code == 405
    set_status(seeded, SessionStatus.CERTIFIED)
    assert login(secretariat).get(url(seeded)).status_code == 200


def test_unknown_session_is_404(login, leader):
    assert login(leader).get("/sessions/999999/results/").status_code == 404


def test_seed_case_in_vietnamese(login, leader, seeded):
    body = login(leader, lang="vi").get(url(seeded)).content.decode()
    assert body.count('text-nowrap">100,00%</td>') == 5
    assert body.count('text-nowrap">28/28</td>') == 5  # high of each official
    assert "Trần Văn Cán 5" in body
    assert 'x="0" y="0" width="100.00"' in body  # the bar's SVG keeps the dot
    assert "Quy định số 96-QĐ/TW ngày 02/02/2023" in body


def test_table_figures_and_checks_in_english(login, counting_member, seeded):
    response = login(counting_member).get(url(seeded))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="provisional"' in body
    assert "PROVISIONAL — the count is still open" in body
    assert "over the ballots collected" in body
    assert '<td class="text-end">31</td>' in body  # convened
    assert "28/31" in body  # present
    assert "Quorum met" in body
    assert "High confidence: 100,00%; Confidence: 0,00%; Low confidence: 0,00%" in body
    # 3 session checks (no physical count recorded) and 2 per official, every one passed:
    # one line, the rows folded under it.
    assert body.count(">passed</span>") == 3 + 2 * 5
    summary = re.search(r'<summary[^>]*data-testid="checks-summary">(.*?)</summary>', body, re.S)
    assert summary.group(1).split() == ["✓", "All", "13", "checks", "passed."]
    assert '<details class="mb-3" data-testid="checks-passed">' in body
    assert 'data-testid="checks-failed"' not in body
    assert "31 ≥ 28" in body
    assert "No. 3: high + medium + low = valid" in body
    assert 'data-band="none"' in body
    assert f"/sessions/{seeded.pk}/results.csv" in body
    assert f"/sessions/{seeded.pk}/results.xlsx" in body


def test_no_banner_once_the_count_is_closed(login, leader, seeded):
    set_status(seeded, SessionStatus.COUNTED)
    body = login(leader).get(url(seeded)).content.decode()
    assert 'data-testid="provisional"' not in body


def test_bands_highlighted(login, leader, org):
    ballots = [("low", "low", "high", "high", "high")] * 15
    ballots += [("high", "low", "high", "high", "high")] * 4 + [("high",) * 5] * 9
    session = seed_session(org, *ballots)
    body = login(leader).get(url(session)).content.decode()
    # 15/28 low: over half; 19/28 low: two thirds.
    assert 'class="table-warning" data-testid="official-1" data-band="over_half"' in body
    assert 'class="table-danger" data-testid="official-2" data-band="two_thirds"' in body
    assert "53,57%" in body and "67,86%" in body
    assert body.count('data-testid="band">Over 1/2 and under 2/3 low-confidence votes') == 1
    assert body.count('data-testid="band">2/3 or more low-confidence votes') == 1


def test_strict_profile_words_the_band_over_two_thirds(login, leader, org, monkeypatch):
    strict = replace(rules.PARTY_96_2023, two_thirds_inclusive=False)
    monkeypatch.setitem(rules.PROFILES, "party-96-2023", strict)
    session = seed_session(org, *[("low",) * 5] * 20 + [("high",) * 5] * 8)
    body = login(leader).get(url(session)).content.decode()
    assert 'data-testid="band">Over 2/3 low-confidence votes' in body
    assert "2/3 or more" not in body


def test_assembly_base_in_words(login, leader, org):
    session = make_ready_session(org, convened=47, present=40, officials=2)
    session.rule_profile = "assembly-96-2023"
    session.save()
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=40)
    rows = pile(*[("low", "high")] * 19 + [("high", "medium")] * 21)
    ballots_import(user=None, session=session, entry_pass=1, rows=rows)
    body = login(leader).get(url(session)).content.decode()
    assert "over the total number of deputies, present or not" in body
    assert "19/47" in body and "40,43%" in body
    assert "Nghị quyết số 96/2023/QH15" in body


def test_failed_check_shown(login, leader, seeded):
    Mark.objects.filter(ballot__number=3, official__order=2).delete()
    body = login(leader).get(url(seeded)).content.decode()
    assert "1 of 13 checks failed:" in body
    assert body.count(">failed</span>") == 1
    # The failure in full, outside the fold; the others fold into one line.
    failed = body.split('data-testid="checks-failed"')[1].split("</table>")[0]
    assert "27 + 0 + 0 = 28" in failed and ">failed</span>" in failed
    assert "The other 12 checks passed." in body
    assert "28 + 0 + 0 = 27" not in body  # 27 high of 28 valid
    assert "27 + 0 + 0 = 28" in body


def test_hand_count_sheet_named_as_source(login, org):
    chair = make_chair_user(org)
    session = make_counting_session(org, chair=chair)
    count_record_collected(user=chair, session=session, ballots_collected=28)
    hand_count_record(user=chair, session=session, rows=dict.fromkeys(range(1, 6), (28, 0, 0, 0)))
    body = login(chair).get(url(session)).content.decode()
    assert 'data-testid="source"' in body
    assert "hand-count sheet" in body
    assert body.count('text-nowrap">100,00%</td>') == 5


def test_empty_state_before_any_ballot(login, leader, org):
    body = login(leader).get(url(make_counting_session(org))).content.decode()
    assert 'data-testid="no-ballots"' in body


def test_nav_tab(login, seeded, secretariat, counting_member):
    detail = f"/sessions/{seeded.pk}/"
    assert 'data-testid="nav-results"' in login(counting_member).get(detail).content.decode()
    assert 'data-testid="nav-results"' not in login(secretariat).get(detail).content.decode()
    set_status(seeded, SessionStatus.CERTIFIED)
    assert 'data-testid="nav-results"' in login(secretariat).get(detail).content.decode()


def test_query_count_does_not_grow_with_ballots(login, leader, org, django_assert_max_num_queries):
    client = login(leader)
    few = seed_session(org, *[("high",) * 5] * 5)
    client.get(url(few))  # warm up the session and the user
    with django_assert_max_num_queries(20) as captured:
        assert client.get(url(few)).status_code == 200
    session = make_ready_session(org, convened=45, present=40)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=40)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*[("high",) * 5] * 40))
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = client.get(url(session))
    assert response.content.decode().count("40/40") >= 5


def test_banner_says_draft_until_certified_then_official(login, leader, org):
    from sessions.models import SessionStatus
    from tests.ballots import make_counting_session

    session = make_counting_session(org)
    session.status = SessionStatus.COUNTED
    session.save()
    body = login(leader).get(f"/sessions/{session.pk}/results/").content.decode()
    assert 'data-testid="draft"' in body and "DỰ THẢO" in body
    session.status = SessionStatus.CERTIFIED
    session.save()
    body = login(leader).get(f"/sessions/{session.pk}/results/").content.decode()
    assert 'data-testid="official"' in body and "KẾT QUẢ CHÍNH THỨC" in body
    assert "DỰ THẢO" not in body


MIXED = [
    ("high", "medium", "low", "none", "several"),
    ("low", "low", "high", "high", "medium"),
    "not_issued",
    ("medium",) * 5,
    ("high",) * 5,
]


def _marks_grouped(captured) -> bool:
    return any(
        "ballots_mark" in q["sql"] and "GROUP BY" in q["sql"] for q in captured.captured_queries
    )


def test_figures_read_from_the_running_totals_are_those_of_the_marks(org, leader, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import tally_for_session

    session = seed_session(org, *MIXED * 5, issued=28)
    counted = tally_for_session(session=session)
    with CaptureQueriesContext(connection) as captured:
        read = tally_for_session(session=session, running_totals=True)
    assert not _marks_grouped(captured)  # the marks are counted, never grouped
    assert read.as_data() == counted.as_data()
    assert read.checks == counted.checks and read.ballots_invalid == counted.ballots_invalid
    with CaptureQueriesContext(connection) as captured:
        body = login(leader).get(url(session)).content.decode()
    assert not _marks_grouped(captured)
    assert "All 13 checks passed." in " ".join(body.split())


def test_a_ballot_removed_behind_the_services_fails_a_check(login, leader, org):
    from ballots.models import Ballot

    session = seed_session(org, *MIXED * 5, issued=28)
    VoteSession.objects.filter(pk=session.pk).update(ballots_collected=25)
    # A ballot invalid as a whole has no marks: only the ballots (not the totals) show it.
    Ballot.objects.filter(session=session, number=3).delete()
    body = " ".join(login(leader).get(url(session)).content.decode().split())
    assert "24 = 25" in body and "1 of 14 checks failed:" in body


def test_totals_that_disagree_with_the_marks_are_not_shown(login, leader, org):
    from ballots.models import PassTotal

    session = seed_session(org, *[("high",) * 5] * 28)
    PassTotal.objects.filter(session=session, value="high").update(count=20)
    body = login(leader).get(url(session)).content.decode()
    assert body.count('text-nowrap">28/28</td>') == 5  # the marks' figures, not the totals'
    assert "20/28" not in body

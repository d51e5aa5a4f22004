"""manage.py tally SESSION_ID --format json|csv, against a hand count of each case."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from ballots.services import ballots_import
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.factories import make_ready_session
from tests.reports.test_tally import pile, seed_session

KEYS = [
    "session", "rule_profile", "percentage_base", "convened", "present", "quorum_required",
    "quorum_met", "issued", "collected", "count_closed", "officials",
]  # fmt: skip
COLUMNS = [
    "order", "name", "position", "valid", "invalid", "high", "medium", "low",
    "high_pct", "medium_pct", "low_pct", "band",
]  # fmt: skip


def tally(*args) -> str:
    out = io.StringIO()
    call_command("tally", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def official(order, name, valid, invalid, high, medium, low, pcts, band="none"):
    """One official's row as counted by hand."""
    return {
        "order": order,
        "name": name,
        "position": "Phó Viện trưởng",
        "valid": valid,
        "invalid": invalid,
        "high": high,
        "medium": medium,
        "low": low,
        "high_pct": pcts[0],
        "medium_pct": pcts[1],
        "low_pct": pcts[2],
        "band": band,
    }


def test_seed_case_json_is_the_hand_count(org):
    session = seed_session(org, *[("high",) * 5] * 28)
    output = tally(session.pk)
    data = json.loads(output)
    assert list(data) == KEYS
    assert data == {
        "session": session.pk,
        "rule_profile": "party-96-2023",
        "percentage_base": "collected",
        "convened": 31,
        "present": 28,
        "quorum_required": 21,
        "quorum_met": True,
        "issued": 28,
        "collected": 28,
        "count_closed": False,
        "officials": [
            official(n, f"Trần Văn Cán {n}", 28, 0, 28, 0, 0, ("100.00", "0.00", "0.00"))
            for n in range(1, 6)
        ],
    }
    assert list(data["officials"][0]) == COLUMNS
    # Indented, Vietnamese kept as is.
    assert '\n  "rule_profile": "party-96-2023",' in output
    assert '"name": "Trần Văn Cán 1"' in output


@pytest.mark.parametrize(
    ("low", "band", "pcts"),
    [
        (14, "none", ("50.00", "0.00", "50.00")),
        (15, "over_half", ("46.43", "0.00", "53.57")),
        (19, "two_thirds", ("32.14", "0.00", "67.86")),
    ],
)
def test_bands_json(org, low, band, pcts):
    ballots = [("low",) + ("high",) * 4] * low + [("high",) * 5] * (28 - low)
    first = json.loads(tally(seed_session(org, *ballots).pk, "--format", "json"))["officials"][0]
    assert first == official(1, "Trần Văn Cán 1", 28, 0, 28 - low, 0, low, pcts, band)


def test_assembly_base_json(org):
    session = make_ready_session(org, convened=47, present=40, officials=2)
    session.rule_profile = "assembly-96-2023"
    session.save()
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=40)
    rows = pile(*[("low", "high")] * 19 + [("high", "medium")] * 21)
    ballots_import(user=None, session=session, entry_pass=1, rows=rows)
    data = json.loads(tally(session.pk))
    assert (data["percentage_base"], data["convened"], data["collected"]) == ("convened", 47, 40)
    # 19/47 = 40.425… -> 40.43; 21/47 = 44.680… -> 44.68.
    assert data["officials"] == [
        official(1, "Trần Văn Cán 1", 40, 0, 21, 0, 19, ("44.68", "0.00", "40.43")),
        official(2, "Trần Văn Cán 2", 40, 0, 19, 21, 0, ("40.43", "44.68", "0.00")),
    ]


def test_invalid_rows_and_ballots_csv(org):
    ballots = [("high",) * 5] * 25 + [("high", "none", "several", "high", "high")]
    ballots += ["not_issued", "name_added"]
    output = tally(seed_session(org, *ballots).pk, "--format", "csv")
    assert output.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(output[1:])))
    assert rows[0] == COLUMNS
    # 28 collected, 2 invalid as a whole: 26/28 = 92.857… -> 92.86; 25/28 = 89.285… -> 89.29.
    assert rows[1:] == [
        ["1", "Trần Văn Cán 1", "Phó Viện trưởng", "26", "2", "26", "0", "0",
         "92.86", "0.00", "0.00", "none"],
        ["2", "Trần Văn Cán 2", "Phó Viện trưởng", "25", "3", "25", "0", "0",
         "89.29", "0.00", "0.00", "none"],
        ["3", "Trần Văn Cán 3", "Phó Viện trưởng", "25", "3", "25", "0", "0",
         "89.29", "0.00", "0.00", "none"],
        ["4", "Trần Văn Cán 4", "Phó Viện trưởng", "26", "2", "26", "0", "0",
         "92.86", "0.00", "0.00", "none"],
        ["5", "Trần Văn Cán 5", "Phó Viện trưởng", "26", "2", "26", "0", "0",
         "92.86", "0.00", "0.00", "none"],
    ]  # fmt: skip


def test_csv_agrees_with_json(org):
    ballots = [("low", "medium", "high", "low", "high")] * 16 + [("high",) * 5] * 12
    session = seed_session(org, *ballots)
    data = json.loads(tally(session.pk))
    rows = list(csv.DictReader(io.StringIO(tally(session.pk, "--format", "csv")[1:])))
    assert rows == [{k: str(v) for k, v in row.items()} for row in data["officials"]]
    assert rows[0]["band"] == "over_half"
    assert rows[0]["low_pct"] == "57.14"


def test_unknown_session_and_format(db):
    # Commands speak the default language, Vietnamese.
    with pytest.raises(CommandError, match="Không có hội nghị số 999999"):
        tally(999999)
    with pytest.raises(CommandError):
        tally(1, "--format", "xml")

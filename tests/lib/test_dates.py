"""Vietnamese document dates: leading zeros on days 1–9 and months 1–2 only."""

import datetime as dt

import pytest

from confidence_vote.lib.dates import vn_date, vn_place_date, vn_time


def test_seed_date_line():
    assert vn_place_date("Quảng Ninh", dt.date(2023, 7, 3)) == (
        "Quảng Ninh, ngày 03 tháng 7 năm 2023"
    )


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2023, 1, 9), "ngày 09 tháng 01 năm 2023"),
        (dt.date(2023, 2, 10), "ngày 10 tháng 02 năm 2023"),
        (dt.date(2023, 3, 1), "ngày 01 tháng 3 năm 2023"),
        (dt.date(2023, 10, 31), "ngày 31 tháng 10 năm 2023"),
        (dt.date(2024, 12, 25), "ngày 25 tháng 12 năm 2024"),
    ],
)
def test_leading_zeros(date, text):
    assert vn_date(date) == text


def test_time():
    assert vn_time(dt.time(8, 0)) == "08 giờ 00"
    assert vn_time(dt.datetime(2023, 7, 3, 14, 5)) == "14 giờ 05"

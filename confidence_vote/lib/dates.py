"""Dates and times written the way Vietnamese official documents write them.

Hướng dẫn 36-HD/VPTW and Nghị định 30/2020/NĐ-CP: days 1–9 and months 1–2 take a leading
zero ("ngày 03 tháng 7", "ngày 15 tháng 02"); other days and months do not.
"""

import datetime as dt


def vn_day(day: int) -> str:
    return f"{day:02d}"


def vn_month(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def vn_date(date: dt.date) -> str:
    """ "ngày 03 tháng 7 năm 2023" """
    return f"ngày {vn_day(date.day)} tháng {vn_month(date.month)} năm {date.year}"


def vn_place_date(place: str, date: dt.date) -> str:
    """The place and date line of a document: "Quảng Ninh, ngày 03 tháng 7 năm 2023"."""
    return f"{place}, {vn_date(date)}"


def vn_time(time: dt.time | dt.datetime) -> str:
    """ "08 giờ 00" """
    return f"{time.hour:02d} giờ {time.minute:02d}"

"""Compare candidate libraries for the estimated holidays (docs/working-days.md).

Install the candidates apart from the project, then run:

    .venv/bin/pip install --target /tmp/cand lunardate==0.3.0 lunar-python==1.4.8 holidays==0.108
    PYTHONPATH=/tmp/cand .venv/bin/python bench/compare_lunar_libraries.py

For 2008–2026 (the years 清明, 端午 and 中秋 have been public holidays and chinese_calendar
knows the notices) it checks that each library's 春节 (and 除夕), 清明, 端午 and 中秋 are days
off, that ``holidays`` lists every weekday off, and times 73 future years of each.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

import chinese_calendar as cc
import holidays
import lunardate
from lunar_python import Lunar


def lp(y, m, d):
    s = Lunar.fromYmd(y, m, d).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def qingming(y):
    t = Lunar.fromYmd(y, 3, 1).getJieQiTable()["清明"]
    return date(t.getYear(), t.getMonth(), t.getDay())


def ld(y, m, d):
    return lunardate.LunarDate(y, m, d).to_solar_date()


def main():
    wrong = {"lunar_python": [], "lunardate": [], "holidays": []}
    for y in range(2008, 2027):
        spring = lp(y, 1, 1)
        for name, d in (("春节", spring), ("除夕", spring - timedelta(days=1)), ("清明", qingming(y)),
                        ("端午", lp(y, 5, 5)), ("中秋", lp(y, 8, 15))):
            if cc.is_workday(d):
                wrong["lunar_python"].append((y, name, d))
        for name, d in (("春节", ld(y, 1, 1)), ("端午", ld(y, 5, 5)), ("中秋", ld(y, 8, 15))):
            if cc.is_workday(d):
                wrong["lunardate"].append((y, name, d))
        h = holidays.China(years=y)
        wrong["holidays"] += [(y, h[d], d) for d in h if cc.is_workday(d)]
        day = date(y, 1, 1)
        while day.year == y:
            if cc.is_holiday(day) and day.weekday() < 5 and day not in h:
                wrong["holidays"].append((y, "missing", day))
            day += timedelta(days=1)
    print("days wrong:", wrong, "(除夕 was worked in 2014 and 2024: statutory only from 2025)")
    disagree = [(y, m, d) for y in range(1901, 2100) for m, d in ((1, 1), (5, 5), (8, 15))
                if ld(y, m, d) != lp(y, m, d)]
    print("lunardate vs lunar_python 1901–2099 disagree on:", disagree)
    for name, run in (("lunardate", lambda y: [ld(y, 1, 1), ld(y, 5, 5), ld(y, 8, 15)]),
                      ("lunar_python", lambda y: [lp(y, 1, 1), lp(y, 5, 5), lp(y, 8, 15), qingming(y)]),
                      ("holidays", lambda y: holidays.China(years=y))):
        start = time.perf_counter()
        for y in range(2027, 2100):
            run(y)
        print(f"{name}: 73 years in {time.perf_counter() - start:.3f} s")
    try:
        holidays.China(years=2026, categories=("workday",))
    except Exception as error:  # noqa: BLE001 — reporting what the library says
        print("holidays make-up working days:", error)


if __name__ == "__main__":
    main()

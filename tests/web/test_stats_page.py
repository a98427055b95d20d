"""The judge's statistics page shows the court's figures and explains bad periods."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.helpers import login


def test_the_judge_sees_the_own_courts_rate_for_a_chosen_period(client, make):
    case = make.case(status="closed", outcome="mediated",
                     concluded_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    make.case(status="closed", outcome="judged", concluded_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    judge = make.user("judge", court=case.court)
    login(client, judge.username)
    html = client.get("/court/stats?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "2026-01-01 – 2026-12-31" in html
    assert "100.00%" in html  # only the own court's (mediated) case counts
    assert "2018-01-01 – 2018-12-31" in html and "2019-01-01 – 2020-12-31" in html


def test_a_backwards_period_is_explained_next_to_the_dates(client, make):
    login(client, make.user("judge").username)
    response = client.get("/court/stats?from=2026-12-01&to=2026-01-01")
    assert response.status_code == 422
    assert 'id="period-error"' in response.get_data(as_text=True)
    assert client.get("/court/stats?from=garbage&to=").status_code == 422


def test_only_judges_see_the_statistics_page(client, make):
    login(client, make.user("developer").username)
    assert client.get("/court/stats").status_code == 403


def test_this_year_starts_on_new_years_day_court_time(client, make, monkeypatch):
    """At 02:00 on 1 January in Wenchang it is still 31 December in UTC: the page's
    "this year" row must already be the new year, from 1 January to today."""
    import app.web.court.stats as stats

    monkeypatch.setattr(stats, "utcnow", lambda: datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    login(client, make.user("judge").username)
    html = client.get("/court/stats").get_data(as_text=True)
    assert "2027-01-01 – 2027-01-01" in html


def test_a_day_out_of_range_is_explained_not_a_500(client, make):
    """0001-01-01 and 9999-12-31 overflowed the UTC conversion (issue 8)."""
    login(client, make.user("judge").username)
    for query in ("from=0001-01-01&to=2026-01-01", "from=2026-01-01&to=9999-12-31"):
        response = client.get(f"/court/stats?{query}")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "2000-01-01" in html.split('id="period-error"', 1)[1].split("</p>", 1)[0]
    assert client.get("/court/stats?from=2000-01-01&to=2099-12-31").status_code == 200

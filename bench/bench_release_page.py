"""Benchmark of the release-plan page: a developer with 1,000 cases, built from the database
and planned on every request.

    .venv/bin/python bench/bench_release_page.py [--cases 1000] [--runs 5]

The data: one developer, N cases with claims of 5–50万元; 40 frozen bank accounts each
securing a run of ~50 cases, one whole unit per 10 cases securing that case, 8 accepted
counter-guarantees covering runs of cases, and N/10 obligations each settling 10 cases, in a
chain of ten. Timed: ``GET /court/developers/<id>/release`` through Flask's test client
(login done before), wall clock, median of the runs; a fresh SQLite file in a temp dir.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench_release_")
    os.environ.update(DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
                      SECRET_KEY="bench-secret-key-that-is-long-enough-for-this", PAGE_CACHE="off",
                      UPLOAD_DIR=workdir)
    from sqlalchemy import update

    from app import create_app
    from app.extensions import db
    from app.models import Case
    from app.services import release
    from tests.factories import Factories
    from tests.web.helpers import login

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        db.create_all()
    make = Factories(app)
    rng = random.Random(2026)
    started = time.perf_counter()
    with app.app_context():
        project = make.project()
        developer_id = project.developer_id
        case_ids = [make.case(project=project).id for _ in range(args.cases)]
        for case_id in case_ids:
            db.session.execute(update(Case).where(Case.id == case_id)
                               .values(claim_total_fen=rng.randrange(5_000_000, 50_000_000)))
        db.session.commit()
        run = max(1, len(case_ids) // 40)
        assets = [{"kind": "bank_account", "label": f"账户{i}", "frozen_fen": 400_000_000,
                   "cases": case_ids[i * run:(i + 2) * run]} for i in range(40)]
        assets += [{"kind": "unit", "label": f"房{i}", "frozen_fen": 60_000_000, "cases": [case_ids[i]]}
                   for i in range(0, len(case_ids), 10)]
        release.record_order(developer_id, ruling_no="(2026)琼9005财保900号", ruled_on=date(2026, 1, 5),
                             expires_on=date(2027, 1, 5), assets=assets, actor_id=None, now=NOW)
        for i in range(8):
            chunk = case_ids[i * len(case_ids) // 8:(i + 1) * len(case_ids) // 8]
            g = release.offer_guarantee(developer_id, provider=f"银行{i}", kind="bank_letter", value_fen=100_000_000,
                                        cases=chunk, valid_from=date(2026, 1, 1), valid_until=date(2028, 1, 1), now=NOW)
            release.review_guarantee(g.id, accept=True, reason="足额有效", actor_id=None, now=NOW)
        previous = None
        for i in range(0, len(case_ids), 10):
            o = release.add_obligation(developer_id, description=f"支付{i}", cost_fen=30_000_000,
                                       reduces={c: 5_000_000 for c in case_ids[i:i + 10]},
                                       after_id=previous if i % 100 else None, now=NOW)
            previous = o.id
    print(f"data built in {time.perf_counter() - started:.1f} s")
    judge = make.user("judge")
    client = app.test_client()
    login(client, judge.username)
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        response = client.get(f"/court/developers/{developer_id}/release")
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    with app.app_context():
        t0 = time.perf_counter()
        scenario, plan = release.plan_for(developer_id)
        planning = time.perf_counter() - t0
    print(f"{args.cases} cases, {len(scenario['assets'])} assets, {len(scenario['obligations'])} obligations: "
          f"plan {plan['status']}, {len(plan['stages'])} stages; page median {statistics.median(timings) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms); scenario+plan alone {planning * 1000:.0f} ms")


if __name__ == "__main__":
    main()

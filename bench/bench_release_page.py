"""Benchmark of the release-plan page: a developer with 1,000 cases, built from the database
and planned on every request.

    .venv/bin/python bench/bench_release_page.py [--cases 1000] [--runs 5]
    .venv/bin/python bench/bench_release_page.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB

The data: one developer, N cases with claims of 5–50万元; 40 frozen bank accounts each
securing two runs of N/40 cases and holding 52 % of their claims (each case covered 104 %:
an over-freeze, so there is something to release), one whole unit of 60万元 per 10 cases
securing that case, 8 accepted counter-guarantees of 100万元 covering runs of cases, and N/10
obligations each costing 150万元 and settling 15万元 of 10 cases, in chains of ten. At 1,000
cases the plan is complete in 4 stages (the developer pays as the releases let it).

One case, project and order go through the factories and the services; the rest are written with bulk INSERTs (executemany) — going through the services row by row
took 65 s for 1,000 cases at load 12, and it is not what is measured.

Timed: ``GET /court/developers/<id>/release`` through Flask's test client by a judge of the
court holding the cases (login done before), wall clock, median of the runs; and, on its own,
building the scenario from the database and planning it. Baseline in the same run: the
scenario read through ORM rows with selectin loads (how ``build_scenario`` read it before it
used column SELECTs), to show what the column SELECTs save; and the full planner
(``release.plan_for``, what the page ran before it left the guarantee search to a queued job),
against which the page's median is given as a ratio, then the queued job itself (``run_queued``)
and one page after it (showing the suggestion when the plan is blocked). SQLite: a fresh file in a temp dir;
PostgreSQL: the given database, its tables dropped and created again (never a shared one).
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


def build(make, n_cases: int, rng: random.Random, freeze_percent: int = 52) -> tuple[int, object]:
    """The scenario in the database; returns the developer's id and the court."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import Case
    from app.models.release import (
        CounterGuarantee, CounterGuaranteeCase, FrozenAsset, FrozenAssetCase, Obligation, ObligationReduction,
    )
    from app.services import release_records
    from mediation.casenumber import format_case_number

    project = make.project()
    developer_id, court = project.developer_id, project.court
    template = make.case(project=project)
    row = {c.key: getattr(template, c.key) for c in Case.__table__.columns if c.key != "id"}
    last_seq = template.seq
    rows = []
    for i in range(1, n_cases):
        seq = last_seq + i
        rows.append({**row, "seq": seq, "number": format_case_number(row["year"], court.code, seq),
                     "claim_total_fen": 0})
    if rows:
        db.session.execute(insert(Case), rows)
    case_ids = list(db.session.scalars(select(Case.id).where(Case.developer_id == developer_id).order_by(Case.id)))
    db.session.execute(Case.__table__.update().where(Case.__table__.c.id == template.id).values(claim_total_fen=0))
    claims = [{"cid": c, "fen": rng.randrange(5_000_000, 50_000_000)} for c in case_ids]
    from sqlalchemy import bindparam

    db.session.execute(Case.__table__.update().where(Case.__table__.c.id == bindparam("cid"))
                       .values(claim_total_fen=bindparam("fen")), claims)
    db.session.commit()
    # One order through the service (it checks the cases), then the other assets in bulk.
    # Each account secures two runs of cases and holds 52 % of their claims: every case is
    # covered by two accounts (104 %), an over-freeze, so stages can release.
    run = max(1, len(case_ids) // 40)
    claim_of = {c["cid"]: c["fen"] for c in claims}
    accounts = [(f"账户{i}", case_ids[i * run:(i + 2) * run]) for i in range(40)]
    accounts = [(label, cases, sum(claim_of[c] for c in cases) * freeze_percent // 100) for label, cases in accounts if cases]
    order = release_records.record_order(developer_id, court_id=court.id, ruling_no="(2026)琼9005财保900号",
                                         ruled_on=date(2026, 1, 5), expires_on=date(2027, 1, 5), actor=None, now=NOW,
                                         asset={"kind": "bank_account", "label": accounts[0][0],
                                                "frozen_fen": accounts[0][2], "cases": accounts[0][1]})
    assets = [("bank_account", label, fen, True, cases) for label, cases, fen in accounts[1:]]
    assets += [("unit", f"房{i}", 60_000_000, False, [case_ids[i]]) for i in range(0, len(case_ids), 10)]
    first = db.session.scalar(select(FrozenAsset.id).order_by(FrozenAsset.id.desc())) + 1
    db.session.execute(insert(FrozenAsset), [
        {"id": first + k, "order_id": order.id, "developer_id": developer_id, "kind": kind, "label": label,
         "frozen_fen": fen, "released_fen": 0, "divisible": divisible, "disputed": False,
         "applicant_consented": False} for k, (kind, label, fen, divisible, _) in enumerate(assets)])
    db.session.execute(insert(FrozenAssetCase), [{"asset_id": first + k, "case_id": c}
                                                 for k, (*_, cases) in enumerate(assets) for c in cases])
    guarantees = [case_ids[i * len(case_ids) // 8:(i + 1) * len(case_ids) // 8] for i in range(8)]
    db.session.execute(insert(CounterGuarantee), [
        {"id": 1 + k, "developer_id": developer_id, "provider": f"银行{k}", "kind": "bank_letter",
         "value_fen": 100_000_000, "valid_from": date(2026, 1, 1), "valid_until": date(2028, 1, 1),
         "status": "accepted", "review_reason": "足额有效", "reviewed_at": NOW, "created_at": NOW}
        for k in range(len(guarantees))])
    db.session.execute(insert(CounterGuaranteeCase), [{"guarantee_id": 1 + k, "case_id": c}
                                                      for k, cases in enumerate(guarantees) for c in cases])
    obligations = list(range(0, len(case_ids), 10))
    db.session.execute(insert(Obligation), [
        {"id": 1 + k, "developer_id": developer_id, "description": f"支付{i}", "cost_fen": 150_000_000,
         "after_id": k if i % 100 else None, "status": "open", "created_at": NOW}
        for k, i in enumerate(obligations)])
    db.session.execute(insert(ObligationReduction), [
        {"obligation_id": 1 + k, "case_id": c, "amount_fen": 15_000_000}
        for k, i in enumerate(obligations) for c in case_ids[i:i + 10]])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        from sqlalchemy import text

        for table in ("frozen_assets", "counter_guarantees", "obligations"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return developer_id, court


def orm_scenario_reads(developer_id: int) -> int:
    """The baseline: the ORM reads the earlier ``build_scenario`` made (rows and selectin loads)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from app.models import Case
    from app.models.release import CounterGuarantee, FrozenAsset, Obligation

    assets = db.session.scalars(select(FrozenAsset).where(FrozenAsset.developer_id == developer_id)
                                .options(selectinload(FrozenAsset.cases)).order_by(FrozenAsset.id)).all()
    guarantees = db.session.scalars(select(CounterGuarantee).where(
        CounterGuarantee.developer_id == developer_id, CounterGuarantee.status == "accepted")
        .options(selectinload(CounterGuarantee.cases)).order_by(CounterGuarantee.id)).all()
    obligations = db.session.scalars(select(Obligation).where(Obligation.developer_id == developer_id)
                                     .options(selectinload(Obligation.reductions)).order_by(Obligation.id)).all()
    secured = {c.id for a in assets for c in a.cases} | {c.id for g in guarantees for c in g.cases}
    cases = db.session.scalars(select(Case).where(Case.id.in_(secured)).order_by(Case.id)).all()
    return len(cases) + len(obligations)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--freeze-percent", type=int, default=52,
                        help="each account holds this share of its cases' claims (30: under-secured, blocked)")
    parser.add_argument("--database-url", help="PostgreSQL database to use (its tables are dropped)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench_release_")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.update(DATABASE_URL=url,
                      SECRET_KEY="bench-secret-key-that-is-long-enough-for-this", PAGE_CACHE="off",
                      UPLOAD_DIR=workdir)
    from app import create_app
    from app.extensions import db
    from app.services import release
    from tests.factories import Factories
    from tests.web.helpers import login

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        db.drop_all()
        db.create_all()
    make = Factories(app)
    rng = random.Random(2026)
    started = time.perf_counter()
    with app.app_context():
        developer_id, court = build(make, args.cases, rng, args.freeze_percent)
    built = time.perf_counter() - started
    print(f"{url.split(':')[0]}: data built in {built:.1f} s")
    judge = make.user("judge", court=court)
    client = app.test_client()
    login(client, judge.username)
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        response = client.get(f"/court/developers/{developer_id}/release")
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    with app.app_context():
        reading, baseline = [], []
        for _ in range(args.runs):
            db.session.expunge_all()
            t0 = time.perf_counter()
            orm_scenario_reads(developer_id)
            baseline.append(time.perf_counter() - t0)
            db.session.expunge_all()
            t0 = time.perf_counter()
            scenario = release.build_scenario(developer_id)
            reading.append(time.perf_counter() - t0)
        reading, baseline = statistics.median(reading), statistics.median(baseline)
        t0 = time.perf_counter()
        scenario, plan = release.plan_for(developer_id)  # the full planner: what the page did before
        planning = time.perf_counter() - t0
        from app.services.queued_jobs import run_queued

        t0 = time.perf_counter()
        job_report = run_queued(now=NOW)  # a blocked plan's page queued the suggestion's search
        job_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    after_job = client.get(f"/court/developers/{developer_id}/release")
    after_job_time = time.perf_counter() - t0
    assert after_job.status_code == 200
    shows = b'data-testid="suggested-guarantee"' in after_job.data
    print(f"{args.cases} cases, {len(scenario['assets'])} assets, {len(scenario['guarantees'])} guarantees, "
          f"{len(scenario['obligations'])} obligations: plan {plan['status']}, {len(plan['stages'])} stages; "
          f"page median {statistics.median(timings) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms); "
          f"scenario from the database {reading * 1000:.0f} ms (ORM rows, the baseline: {baseline * 1000:.0f} ms, "
          f"{baseline / reading:.1f}×); scenario+plan {planning * 1000:.0f} ms; "
          f"page {len(response.data) // 1024} KB; "
          f"queued job {job_time * 1000:.0f} ms ({job_report}); page after it {after_job_time * 1000:.0f} ms"
          f"{' with the suggestion' if shows else ''}; full plan / page median "
          f"{planning / statistics.median(timings):.1f}×")
    if args.database_url:
        with app.app_context():
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()

"""Benchmark: one agreement per consenting claimant of a 500-claimant group case, in one go.

    .venv/bin/python bench/bench_group_agreements.py             # SQLite in a temp dir, 5 runs
    .venv/bin/python bench/bench_group_agreements.py --db URL    # e.g. PostgreSQL (tables dropped!)

Builds a group case of N claimants (default 500) with 2 representatives and every
claimant's consent, then times ``group_settlement.issue_group_agreements`` (validation,
superseding the previous unsigned batch, N agreement rows, the timeline line, one commit),
wall clock, median of the runs. Target: under 20 s for 500 (issue 9). The PDFs are made
per agreement when it takes effect (its last signature), not in the batch; so that the
whole of "500 agreements" is measured too, the script then renders every agreement of the
last batch to PDF in memory (``agreement_data`` + ``render_agreement``, the court's copy,
the font registered once) and prints that time separately (``--no-pdfs`` skips it).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claimants", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=None)
    parser.add_argument("--no-pdfs", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-group-"))
    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.models import Case, CaseRepresentative, SettlementConsent, User
    from app.services import group_settlement
    from mediation.agreements import Content
    from tests.factories import Factories

    settings = Settings.from_env({"SECRET_KEY": "bench-secret-key-long-enough-for-the-settings",
                                  "DATABASE_URL": args.db or f"sqlite:///{tmp}/bench.sqlite3",
                                  "UPLOAD_DIR": str(tmp / "uploads")})
    app = create_app(settings, TESTING=True)
    now = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
    with app.app_context():
        db.drop_all()
        db.create_all()
        make = Factories(app)
        project = make.project()
        mediator = make.user("mediator", court=project.court)
        people = [make.person(f"业主{i}") for i in range(args.claimants)]
        case = make.case(project=project, claimant=people[0], status="in_mediation", mediator=mediator.mediator)
        for person in people[1:]:
            make.complaint(project=project, person=person, status="accepted", case=case)
        db.session.get(Case, case.id).is_group = True
        for person in people[:2]:
            db.session.add(CaseRepresentative(case_id=case.id, person_id=person.id, chosen_at=now))
        for person in people:
            db.session.add(SettlementConsent(case_id=case.id, person_id=person.id, consented_at=now,
                                             recorded_by_id=mediator.id))
        db.session.commit()
        content = Content(terms=tuple(f"第{i}项：被申请人向申请人支付违约金。" for i in range(1, 11)))
        times = []
        for _ in range(args.runs):
            db.session.expire_all()
            actor = db.session.get(User, mediator.id)
            start = time.perf_counter()
            result = group_settlement.issue_group_agreements(case.id, content, actor=actor, now=now)
            times.append(time.perf_counter() - start)
            assert result.created == args.claimants
        pdf_seconds = None
        if not args.no_pdfs:
            from sqlalchemy import select

            from app.documents.agreement import render_agreement
            from app.models import Agreement
            from app.services.agreements import agreement_data
            from app.services.documents import pdf_font
            font = pdf_font()
            batch = db.session.scalars(select(Agreement).where(Agreement.status == "signing")).all()
            start, cpu = time.perf_counter(), time.process_time()
            for agreement in batch:
                render_agreement(agreement_data(agreement), font=font, verify_code="BENCH0000000000",
                                 verify_url="/verify/BENCH0000000000")
            pdf_seconds, pdf_cpu = time.perf_counter() - start, time.process_time() - cpu
            pdf_count = len(batch)
        db.session.rollback()  # end the read before dropping the tables
        db.drop_all()
    print(f"{args.claimants} agreements per run, {args.runs} runs: median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s, max {max(times):.3f} s")
    if pdf_seconds is not None:
        print(f"rendering the {pdf_count} agreements of the batch to PDF: {pdf_seconds:.2f} s "
              f"({pdf_seconds / pdf_count * 1000:.1f} ms each); CPU time of this process {pdf_cpu:.2f} s")


if __name__ == "__main__":
    main()

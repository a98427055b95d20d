"""How long does importing an agency's CSV of N rows take? (default 5,000 rows)

    .venv/bin/python bench/bench_referral_import.py [--rows 5000] [--database-url URL]

Builds a throw-away database (a temporary SQLite file unless --database-url is given —
that database is DROPPED and recreated), a court with 20 projects and a judge, 10 % of
the file's people already known (half of them with a complaint 5 days old, so the
duplicate check has work to do), then times ``import_referrals`` end to end: decoding,
validating every row, progress commits every 100 rows, and the single bulk-insert
transaction. Prints one line per phase.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def resident_id(n: int, year: int) -> str:
    """A valid resident ID, distinct for each n (birth date from n // 1000, sequence n % 1000)."""
    from datetime import date

    from mediation.identifiers import make_resident_id

    born = date(year, 1, 1) + timedelta(days=n // 1000)
    return make_resident_id(f"469005{born:%Y%m%d}{n % 1000:03d}")


def build_csv(rows: int, project_names: list[str], known: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["姓名", "身份证号", "电话", "项目", "房号", "纠纷类型", "诉求金额(元)",
                     "事实与理由", "来件日期", "来件编号"])
    for n in range(rows):
        rid = known[n] if n < len(known) else resident_id(n, 1980)
        writer.writerow([f"业主{n}", rid, f"138{n:08d}", project_names[n % len(project_names)],
                         f"{n % 30 + 1}栋{n % 6 + 1}单元{n % 33 + 1:02d}01",
                         ("逾期交房", "房屋质量", "逾期办证")[n % 3], f"{(n % 900 + 100) * 100}.50",
                         "合同约定2024年6月30日前交房，至今未交付，开发商多次推迟交房时间，要求支付违约金。",
                         "2026/11/20", f"ZJ-2026-{n:05d}"])
    return buffer.getvalue().encode("gb18030")  # what Chinese Excel writes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app import create_app
    from app.config import Settings
    from app.extensions import db
    from app.models import Complaint, ComplaintClaim, Court, Developer, Person, Project, Town, User
    from app.services.referrals import import_referrals
    from mediation.identifiers import make_uscc

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app(Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": url}))
    now = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    with app.app_context():
        db.drop_all()
        db.create_all()
        court = Court(name="文昌市人民法院", code="琼9005")
        town = Town(county="文昌市", name="文城镇")
        developer = Developer(name="测试置业", uscc=make_uscc("91469005MA0000001"), created_at=now)
        projects = [Project(developer=developer, court=court, town=town, name=f"楼盘{i}",
                            created_at=now) for i in range(20)]
        judge = User(username="judge", name="法官", role="judge", password_hash="x", court=court,
                     created_at=now)
        db.session.add_all([court, town, developer, judge, *projects])
        db.session.flush()
        known = [resident_id(n, 1970) for n in range(args.rows // 10)]
        people = [Person(name=f"业主{n}", resident_id=rid, created_at=now) for n, rid in enumerate(known)]
        db.session.add_all(people)
        db.session.flush()
        for n, person in enumerate(people[: len(people) // 2]):
            db.session.add(Complaint(
                receipt_no=f"TSOLD-{n}", court=court, project=projects[n % 20], claimant_person=person,
                respondent_developer=developer, dispute_type=("late_delivery", "quality", "title_delay")[n % 3],
                channel="online", facts="旧投诉", submitted_at=now - timedelta(days=5)))
        db.session.commit()
        data = build_csv(args.rows, [p.name for p in projects], known)
        judge_id = judge.id

    with app.app_context():
        actor = db.session.get(User, judge_id)
        marks: list[tuple[int, float]] = []
        started = time.perf_counter()
        record = import_referrals(data, filename="bench.csv", agency="housing_bureau", actor=actor,
                                  now=now, progress=lambda done, total: marks.append((done, time.perf_counter())))
        elapsed = time.perf_counter() - started
        validated_at = marks[-1][1] - started
        print(f"database            {db.engine.dialect.name}")
        print(f"rows                {args.rows:,} ({len(data) / 1024:,.0f} KiB, GB18030)")
        print(f"status              {record.status}; imported {record.imported_rows:,}; "
              f"flagged duplicates {record.duplicate_rows:,}; errors {len(record.errors or [])}")
        print(f"validation          {validated_at:.2f} s ({len(marks) - 1} progress commits)")
        print(f"bulk insert+commit  {elapsed - validated_at:.2f} s")
        print(f"total               {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s)")
        print(f"complaints now      {db.session.scalar(select(func.count()).select_from(Complaint)):,}; "
              f"claims {db.session.scalar(select(func.count()).select_from(ComplaintClaim)):,}")
        if args.database_url:
            db.drop_all()
    return 0 if record.status == "imported" else 1


if __name__ == "__main__":
    sys.exit(main())

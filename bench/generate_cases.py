"""Build a large case database for the case-list benchmark (issue 3, BENCHMARKS.md).

    .venv/bin/python bench/generate_cases.py --database-url sqlite:///bench/out/cases.sqlite3
    .venv/bin/python bench/generate_cases.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

It builds the schema with the app's own migrations (so every index, trigger and the
full-text index the app relies on are there), then loads one circuit court with
1,000,000 cases and 3,000,000 complaints (and the developers, projects, towns, mediators
and persons they need) through the fastest plain path of each database: ``executemany``
of raw SQL on SQLite, ``COPY`` on PostgreSQL. Nothing is disabled: the FTS5 triggers and
every index are live during the load (PostgreSQL's trigram GIN index alone is built after
the load, as ``CREATE INDEX`` does in one pass what a million inserts do slowly; the
result is the same index). It finishes with ANALYZE, as a real database would have
statistics.

A PostgreSQL database is created when missing; the shared ``test`` database is refused.
Logins: ``bench_judge`` / ``bench_mediator`` with the password ``Bench@2026``.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench@2026"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
FIRST_DAY = date(2016, 1, 1)
COURT_CODE = "琼9005"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
            "顾毛郝龚邵万钱严覃武戴莫孔向汤符云邢")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华海燕文德少亚家豪建国志红玉兰梅琴云"
         "凤春林晓雪婷宇浩鹏飞龙辉斌波宁健俊峰鑫博文瑞涵琳萱怡欣悦晨阳光荣成祥福寿安康乐")
WORDS = ("椰风 海韵 航天 清澜 月亮湾 铜鼓岭 木兰 高隆 星海 文城 南海 渔港 椰乡 侨乡 滨海 铺前 绿洲 "
         "温泉 田园 椰林 东郊 海岸 紫贝 文南 龙湖 书香 金色 碧海 阳光 海棠 凤凰 锦绣 翡翠 湖光 泰和 "
         "宝安 丽海 豪庭 御景 明珠 新城 家园 雅苑 假日 壹号 花园 山庄 小镇 华庭 广场 佳苑 名邸 印象 "
         "蓝天 水岸 湾居 华府 城邦 名都 度假区 公馆 半岛 一号 春晓").split()
TOWNS = ("文城镇 重兴镇 蓬莱镇 会文镇 东路镇 潭牛镇 东阁镇 文教镇 东郊镇 龙楼镇 昌洒镇 翁田镇 抱罗镇 "
         "冯坡镇 锦山镇 铺前镇 公坡镇").split()
TYPES = {"late_delivery": 30, "title_delay": 22, "quality": 12, "area": 6, "rescission": 9,
         "advertising": 5, "presale_funds": 3, "stalled": 6, "property_mgmt": 5, "other": 2}
FACTS = {
    "late_delivery": "合同约定{d}前交房，至今未交付，已逾期{m}个月，{b}栋{u}室。",
    "title_delay": "已交房满{m}个月，开发商仍未办理不动产权证书，{b}栋{u}室。",
    "quality": "入住后发现{b}栋{u}室墙体开裂、卫生间渗漏，报修{m}次未果。",
    "area": "合同约定面积{a}平方米，{b}栋{u}室实测面积减少超过3%。",
    "rescission": "项目停滞{m}个月，申请解除合同并退还已付购房款，{b}栋{u}室。",
    "advertising": "销售时宣传配套学校和海景，{b}栋{u}室实际均未兑现。",
    "presale_funds": "预售资金未进入监管账户，担心项目资金被挪用，{b}栋{u}室。",
    "stalled": "项目自{m}个月前停工，工地无人施工，{b}栋{u}室。",
    "property_mgmt": "前期物业收费标准与合同约定不符，{b}栋{u}室多收{m}个月物业费。",
    "other": "其他与购房相关的纠纷，{b}栋{u}室。",
}
CHANNELS = ("online", "online", "online", "window", "onsite", "hotline_12345", "referral_housing")
MEDIATION_PHASE = ("assigned", "scheduled", "in_mediation")
_BORN = [f"{date(1950, 1, 1) + timedelta(days=d):%Y%m%d}" for d in range(365 * 50)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Database preparation -------------------------------------------------------------------


def prepare_database(url: str, force: bool) -> str:
    """Create the PostgreSQL database (never ``test``) or the SQLite file's folder; empty it
    when --force; then run the app's migrations."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.database in (None, "", "test", "postgres", "template0", "template1"):
            sys.exit(f"refusing to load benchmark data into the database {parsed.database!r}; "
                     "use a separate one such as 'bench'")
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": parsed.database}).first()
            if exists and force:
                conn.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                log(f"created PostgreSQL database {parsed.database}")
        admin.dispose()
    else:
        path = Path(parsed.database).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = parsed.set(database=str(path)).render_as_string()
        if force:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from app import create_app

    app = create_app()
    with app.app_context():
        upgrade()
        from app.extensions import db

        count = db.session.execute(text("SELECT count(*) FROM cases")).scalar()
        db.session.remove()
        db.engine.dispose()
    if count:
        sys.exit(f"the database already holds {count:,} cases; pass --force to rebuild it")
    log("schema ready (flask db upgrade)")
    return url


# --- Generation -----------------------------------------------------------------------------


class Generator:
    def __init__(self, seed: int, cases: int, complaints: int, developers: int, projects: int,
                 mediators: int):
        self.rng = random.Random(seed)
        self.n_cases, self.n_complaints = cases, complaints
        self.n_developers, self.n_projects, self.n_mediators = developers, projects, mediators

    # Reference rows (ids are assigned here, so the bulk rows can point at them).
    def reference(self):
        from mediation.identifiers import make_uscc

        rng = self.rng
        self.courts = [(1, "文昌市人民法院防范房地产风险巡回法庭", COURT_CODE),
                       (2, "海口市美兰区人民法院", "琼0108")]
        self.towns = [(i + 1, name) for i, name in enumerate(TOWNS)]
        self.developers = []
        for i in range(self.n_developers):
            name = f"海南{rng.choice(WORDS)}{rng.choice(WORDS)}置业有限公司{i + 1}号"
            self.developers.append((i + 1, name, make_uscc(f"91469005{i:09d}")))
        self.projects = []
        for i in range(self.n_projects):
            developer = self.developers[i % self.n_developers][0]
            town = self.towns[i % len(self.towns)][0]
            name = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{i + 1}期"
            self.projects.append((i + 1, developer, town, name))
        # Users: 3 judges, mediators; the password hash is computed once.
        from app.services.accounts import hash_password

        self.password_hash = hash_password(PASSWORD)
        self.users = [(1, "bench_judge", "林法官", "judge", 1), (2, "bench_judge2", "邢法官", "judge", 1),
                      (3, "bench_other_judge", "陈法官", "judge", 2)]
        self.mediators = []
        for i in range(self.n_mediators):
            user_id = len(self.users) + 1
            username = "bench_mediator" if i == 0 else f"bench_mediator{i + 1}"
            self.users.append((user_id, username, f"{rng.choice(SURNAMES)}调解员{i + 1}", "mediator", 1))
            self.mediators.append((i + 1, user_id))
        self.n_persons = max(1, int(self.n_complaints * 0.7))

    def person(self, n: int):
        """Person number n: a unique, valid resident ID (ISO 7064 check digit) and a phone."""
        from mediation.identifiers import _resident_id_check_char

        days = 365 * 50
        born = _BORN[n // 1000 % days]
        region = ("469005", "460106", "460107", "460108", "460100", "469002")[n // (days * 1000) % 6]
        body = f"{region}{born}{n % 1000:03d}"
        rnd = self.rng.random
        name = (SURNAMES[int(rnd() * len(SURNAMES))] + GIVEN[int(rnd() * len(GIVEN))]
                + (GIVEN[int(rnd() * len(GIVEN))] if rnd() < 0.7 else ""))
        return (n + 1, name, body + _resident_id_check_char(body),
                f"1{'3589'[int(rnd() * 4)]}{int(rnd() * 10**9):09d}")

    def group_size(self) -> int:
        r = self.rng.random()
        if r < 0.60:
            return 1
        if r < 0.80:
            return self.rng.randint(2, 4)
        if r < 0.95:
            return self.rng.randint(5, 9)
        return self.rng.randint(10, 20)

    def status_for(self, age_days: int) -> str:
        r = self.rng.random()
        if age_days < 45:
            states = [("registered", .12), ("assigned", .22), ("scheduled", .2), ("in_mediation", .3),
                      ("mediated", .06), ("withdrawn", .04), ("failed", .03), ("closed", .03)]
        elif age_days < 365:
            states = [("closed", .72), ("performing", .08), ("litigation", .08), ("mediated", .03),
                      ("confirmed", .03), ("in_mediation", .02), ("failed", .02), ("withdrawn", .02)]
        else:
            states = [("closed", .975), ("performing", .01), ("litigation", .015)]
        for state, weight in states:
            r -= weight
            if r < 0:
                return state
        return states[0][0]


def stamp(moment: datetime | None, dialect: str):
    """A UTC datetime as the app's UTCDateTime stores it (naive UTC; SQLite: its text form)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    if dialect == "sqlite":
        return moment.isoformat(" ", "microseconds")
    return moment


def _compose(parts) -> str:
    """app.services.case_search.compose_search_text for generated (printable) text, without its
    per-character control-character filter; the result is the same for such text."""
    seen: list[str] = []
    for part in parts:
        part = " ".join(unicodedata.normalize("NFKC", part).casefold().split())
        if part and part not in seen:
            seen.append(part)
    return " ".join(seen)


def case_batches(gen: Generator, dialect: str, batch: int = 20_000):
    """Yield (cases, complaints, persons) batches in registration order."""
    from mediation.casenumber import format_case_number

    rng = gen.rng
    rnd = rng.random
    now = NOW.replace(tzinfo=None)
    types, weights = zip(*TYPES.items())
    span = (NOW.date() - FIRST_DAY).days
    complaints_per_case = gen.n_complaints / gen.n_cases
    seq_by_year: dict[int, int] = {}
    complaint_id = 0
    person_next = 0
    cases, complaints, persons = [], [], []
    persons_pool: list[tuple] = []  # recent persons, some file again
    for case_id in range(1, gen.n_cases + 1):
        # Registration time grows with the id: cases are registered in order.
        day = FIRST_DAY + timedelta(days=int(span * (case_id - 1) / gen.n_cases))
        registered = datetime(day.year, day.month, day.day) + timedelta(
            seconds=int(rnd() * 86_400))
        received = registered - timedelta(hours=rng.randrange(2, 72))
        year = registered.year
        seq_by_year[year] = seq = seq_by_year.get(year, 0) + 1
        number = format_case_number(year, COURT_CODE, seq)
        project_id, developer_id, _town, project_name = gen.projects[int(rnd() * gen.n_projects)]
        developer_name = gen.developers[developer_id - 1][1]
        dispute_type = rng.choices(types, weights)[0]
        age = (now - registered).days
        status = gen.status_for(age)
        mediator_id = assigned = deadline = None
        if status != "registered":
            mediator_id = rng.randrange(len(gen.mediators)) + 1
            assigned = registered + timedelta(hours=rng.randrange(1, 72))
            deadline = assigned + timedelta(days=30)
            if status in MEDIATION_PHASE and rng.random() < 0.15:
                deadline += timedelta(days=rng.randrange(5, 30))  # extended with consent
        outcome = concluded = closed = None
        if status in ("closed", "withdrawn", "mediated", "confirmed", "performing"):
            outcome = {"withdrawn": "withdrawn_applied", "mediated": "mediated",
                       "confirmed": "mediated", "performing": "mediated"}.get(status) or rng.choice(
                ["mediated", "mediated", "withdrawn_applied", "withdrawn_deemed", "judged", "dismissed"])
            concluded = min(registered + timedelta(days=rng.randrange(7, 60)), now - timedelta(hours=1))
            concluded = max(concluded, (assigned or registered) + timedelta(hours=1))
            if status == "closed":
                closed = concluded
        size = max(1, min(20, round(gen.group_size() * complaints_per_case / 3.0)))
        names, facts_seen, claim_total = [], [], 0
        for k in range(size):
            if persons_pool and rnd() < 0.15:
                person_id, name = persons_pool[int(rnd() * len(persons_pool))]
            else:
                person = gen.person(person_next)
                person_next += 1
                persons.append(person)
                person_id, name = person[0], person[1]
                persons_pool.append((person_id, name))
                if len(persons_pool) > 5000:
                    persons_pool.pop(0)
            complaint_id += 1
            fact = FACTS[dispute_type].format(d=f"{year - 1}年{1 + int(rnd() * 12)}月", m=2 + int(rnd() * 38),
                                              b=1 + int(rnd() * 29), u=f"{1 + int(rnd() * 32)}0{1 + int(rnd() * 5)}",
                                              a=60 + int(rnd() * 100))
            amount = (20_000 + int(rnd() * 880_000)) * 100
            claim_total += amount
            complaints.append((
                complaint_id, f"TS{received:%Y%m%d}{complaint_id:09d}", 1, project_id, person_id,
                developer_id, f"{1 + int(rnd() * 29)}栋{1 + int(rnd() * 32)}0{1 + int(rnd() * 5)}",
                dispute_type, CHANNELS[int(rnd() * len(CHANNELS))], fact, "accepted" if k == 0 else "merged",
                case_id, stamp(received, dialect), stamp(registered, dialect)))
            names.append(name)
            if len(facts_seen) < 6:
                facts_seen.append(fact)
        search_text = _compose([number, project_name, developer_name, *names, *facts_seen])
        judge_id = 1 + case_id % 2
        updated = closed or concluded or assigned or registered
        cases.append((
            case_id, 1, year, seq, number, project_id, developer_id, dispute_type, size >= 10,
            status, outcome, True, status == "litigation", claim_total, mediator_id, judge_id,
            stamp(received, dialect), stamp(registered, dialect), stamp(assigned, dialect),
            stamp(deadline, dialect), 0, stamp(concluded, dialect), stamp(closed, dialect),
            stamp(updated, dialect), search_text))
        if len(cases) >= batch:
            yield cases, complaints, persons
            cases, complaints, persons = [], [], []
    if cases:
        yield cases, complaints, persons
    gen.seq_by_year = seq_by_year
    gen.complaints_made = complaint_id
    gen.persons_made = person_next


CASE_COLUMNS = ("id", "court_id", "year", "seq", "number", "project_id", "developer_id",
                "dispute_type", "is_group", "status", "outcome", "pre_litigation",
                "went_to_litigation", "claim_total_fen", "mediator_id", "judge_id", "received_at",
                "registered_at", "assigned_at", "mediation_deadline_at", "extension_days",
                "concluded_at", "closed_at", "updated_at", "search_text")
COMPLAINT_COLUMNS = ("id", "receipt_no", "court_id", "project_id", "claimant_person_id",
                     "respondent_developer_id", "unit", "dispute_type", "channel", "facts", "status",
                     "case_id", "submitted_at", "decided_at")
PERSON_COLUMNS = ("id", "name", "resident_id", "phone", "created_at")


def reference_rows(gen: Generator, dialect: str):
    now = stamp(NOW, dialect)
    return {
        "courts": (("id", "name", "code"), gen.courts),
        "towns": (("id", "county", "name", "latitude", "longitude"),
                  [(i, "文昌市", name, 19.6, 110.8) for i, name in gen.towns]),
        "developers": (("id", "name", "uscc", "created_at"),
                       [(i, name, uscc, now) for i, name, uscc in gen.developers]),
        "projects": (("id", "developer_id", "court_id", "town_id", "name", "units_total",
                      "units_delivered", "created_at"),
                     [(i, d, 1, t, name, 200, 100, now) for i, d, t, name in gen.projects]),
        "users": (("id", "username", "name", "role", "password_hash", "court_id", "active",
                   "created_at"),
                  [(i, u, n, r, gen.password_hash, c, True, now) for i, u, n, r, c in gen.users]),
        "mediators": (("id", "user_id", "court_id", "kind", "skills", "capacity", "active",
                       "created_at"),
                      [(i, u, 1, "court", '["late_delivery"]', 100000, True, now)
                       for i, u in gen.mediators]),
    }


# --- Loaders --------------------------------------------------------------------------------


def load_sqlite(url: str, gen: Generator) -> None:
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(url).database
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a rebuildable benchmark file: no fsync per commit
    conn.execute("PRAGMA cache_size=-2000000")  # 2 GB page cache while loading
    conn.execute("PRAGMA foreign_keys=ON")

    def insert(table, columns, rows):
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    conn.execute("BEGIN")
    for table, (columns, rows) in reference_rows(gen, "sqlite").items():
        insert(table, columns, rows)
    conn.execute("COMMIT")
    # The FTS5 index is filled in one 'rebuild' pass after the load (4x faster than a
    # trigger per row); install_search then puts the very same triggers back.
    for suffix in ("ai", "ad", "au"):
        conn.execute(f"DROP TRIGGER IF EXISTS cases_fts_{suffix}")
    _load_bulk(gen, "sqlite", lambda c, m, p: (
        conn.execute("BEGIN"), insert("persons", PERSON_COLUMNS, [(*r, stamp(NOW, 'sqlite')) for r in p]),
        insert("cases", CASE_COLUMNS, c), insert("complaints", COMPLAINT_COLUMNS, m),
        conn.execute("COMMIT")))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO case_counters (court_id, year, last_seq) VALUES (1, ?, ?)",
                     sorted(gen.seq_by_year.items()))
    conn.execute("COMMIT")
    conn.close()
    log("full-text index: triggers back and one 'rebuild' pass …")
    from sqlalchemy import create_engine

    from app.models.search import install_search

    engine = create_engine(url)
    install_search(engine)
    with engine.begin() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_fts_%'").scalar()
        assert triggers == 3, "the FTS triggers must be back"
        _fold_tallies(connection)
        log("ANALYZE …")
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def _fold_tallies(connection) -> None:
    """The cases' triggers kept each court's tally as they were loaded (a row per case on
    SQLite, per COPY on PostgreSQL): fold them as the scheduler's job does."""
    from app.services.case_tallies import fold

    log("case tallies: {} row(s) folded into {}".format(*fold(connection)))


def load_postgres(url: str, gen: Generator) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(conninfo, autocommit=False)

    def copy(table, columns, rows):
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as pipe:
                for row in rows:
                    pipe.write_row(row)

    for table, (columns, rows) in reference_rows(gen, "postgresql").items():
        copy(table, columns, rows)
    conn.commit()
    # The trigram GIN index is built after the load (one pass instead of a million inserts).
    with conn.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS ix_cases_search_trgm")
    conn.commit()

    def load(c, m, p):
        copy("persons", PERSON_COLUMNS, [(*r, stamp(NOW, "postgresql")) for r in p])
        copy("cases", CASE_COLUMNS, c)
        copy("complaints", COMPLAINT_COLUMNS, m)
        conn.commit()

    _load_bulk(gen, "postgresql", load)
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO case_counters (court_id, year, last_seq) VALUES (1, %s, %s)",
                           sorted(gen.seq_by_year.items()))
        for table in ("courts", "towns", "developers", "projects", "users", "mediators", "persons",
                      "cases", "complaints"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM {table}))")
    conn.commit()
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        _fold_tallies(connection)
    engine.dispose()
    log("CREATE INDEX ix_cases_search_trgm (gin_trgm_ops) …")
    with conn.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("CREATE INDEX ix_cases_search_trgm ON cases USING gin (search_text gin_trgm_ops)")
    conn.commit()
    conn.autocommit = True
    log("VACUUM ANALYZE …")
    conn.execute("VACUUM ANALYZE")
    conn.close()


def _produce(gen: Generator, dialect: str, queue) -> None:
    """Child process: generate the batches (the parent only loads them)."""
    for batch in case_batches(gen, dialect):
        queue.put(batch)
    queue.put(("done", gen.seq_by_year, gen.complaints_made, gen.persons_made))


def _batches(gen: Generator, dialect: str):
    """The batches, generated in a second process while this one writes the previous ones."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=3)
    producer = context.Process(target=_produce, args=(gen, dialect, queue), daemon=True)
    producer.start()
    while True:
        item = queue.get()
        if item[0] == "done":
            _, gen.seq_by_year, gen.complaints_made, gen.persons_made = item
            break
        yield item
    producer.join()


def _load_bulk(gen: Generator, dialect: str, load) -> None:
    started = time.perf_counter()
    done = complaints = 0
    for cases, batch_complaints, persons in _batches(gen, dialect):
        load(cases, batch_complaints, persons)
        done += len(cases)
        complaints += len(batch_complaints)
        if done % 100_000 < len(cases) or done == gen.n_cases:
            rate = done / (time.perf_counter() - started)
            log(f"cases {done:,}/{gen.n_cases:,} · complaints {complaints:,} · "
                f"{rate:,.0f} cases/s · ETA {(gen.n_cases - done) / rate:,.0f} s")


def renew_data_version(url: str) -> None:
    """Rows loaded behind the ORM's back: give cached pages a new data version."""
    import secrets

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE data_versions SET token = :token"),
                           {"token": secrets.token_hex(8)})
    engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=3_000_000)
    parser.add_argument("--developers", type=int, default=400)
    parser.add_argument("--projects", type=int, default=2_000)
    parser.add_argument("--mediators", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--force", action="store_true", help="rebuild an existing database")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    started = time.perf_counter()
    args.database_url = prepare_database(args.database_url, args.force)
    gen = Generator(args.seed, args.cases, args.complaints, args.developers, args.projects,
                    args.mediators)
    gen.reference()
    dialect = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    (load_postgres if dialect == "postgresql" else load_sqlite)(args.database_url, gen)
    renew_data_version(args.database_url)
    log(f"done: {args.cases:,} cases, {gen.complaints_made:,} complaints, {gen.persons_made:,} persons "
        f"in {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

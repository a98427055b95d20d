"""``flask demo``: a realistic database for trying the platform.

It rebuilds the demo content from scratch: the Wenchang court and its real-estate
circuit court, Wenchang's 17 towns, 20 developers and 40 projects, judges, mediators,
homeowners, and a case history whose figures match the circuit court's published
results (docs/court-rules.md §5): 910 cases received in 2018 with 调撤率 34.8 %, and 1,223 received in
2019–2020 with 调撤率 50.55 %. A few dozen recent cases in every state make the live
pages interesting.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app import demo_data as ref
from app.extensions import db
from app.models import (
    Case, CaseCounter, CaseEvent, Complaint, ComplaintClaim, Court, DataVersion, Developer,
    Mediator, MediatorConflict, MediatorLeave, Person, Project, Role, Town, User, Visit,
)
from app.models.types import utcnow
from risk.workdays import is_working_day
from app.services.accounts import hash_password
from app.services.receipts import ALPHABET as RECEIPT_ALPHABET
from app.services.case_records import deadline_at as _end_of
from mediation.casenumber import format_case_number
from mediation.delegation import acceptance_due, assignment_due
from mediation.identifiers import make_resident_id, make_uscc
from mediation.statistics import plan_outcome_counts

SHANGHAI = ZoneInfo("Asia/Shanghai")
COURT_CODE = "琼9005"

#: The published figures the history must reproduce (docs/court-rules.md §5).
HISTORY = {
    # period: (cases received, cases concluded inside the period, 调撤率 as published)
    2018: {"received": 910, "closed_in_period": 885, "rate": "34.80"},
    # 2019–2020 concluded: 25 late 2018 cases + 1,156 of its own (67 end in 2021).
    (2019, 2020): {"received": 1223, "closed_in_period": 1181, "rate": "50.55"},
}
CARRIED_OVER_2018 = 25  # 2018 cases concluded in early 2019

#: Share of each dispute type in the history (the seed names late delivery and
#: title delay as the bulk of Wenchang's real-estate disputes).
TYPE_WEIGHTS = {
    "late_delivery": 30, "title_delay": 22, "quality": 12, "area": 6, "rescission": 9,
    "advertising": 5, "presale_funds": 3, "stalled": 6, "property_mgmt": 5, "other": 2,
}



class DemoBuilder:
    def __init__(self, seed: int, echo, password: str, now: datetime):
        self.rng = random.Random(seed)
        self.echo = echo
        self.password_hash = hash_password(password)
        self.now = now
        self.seq: dict[int, int] = {}
        self.person_serial = 0
        self.receipts: set[str] = set()

    # -- reference data -------------------------------------------------------------
    def reference(self) -> None:
        rng = self.rng
        self.court = Court(name="文昌市人民法院", code=COURT_CODE, address="海南省文昌市文城镇文建路")
        self.circuit = Court(name="文昌市人民法院防范房地产风险巡回法庭", code=COURT_CODE,
                             parent=self.court, address="海南省文昌市文城镇")
        self.other_court = Court(name="海口市美兰区人民法院", code="琼0108", address="海南省海口市美兰区")
        db.session.add_all([self.court, self.circuit, self.other_court])
        self.towns = [Town(county=ref.COUNTY, name=n, latitude=la, longitude=lo)
                      for n, la, lo in ref.TOWNS]
        db.session.add_all(self.towns)
        self.developers = []
        for i, name in enumerate(ref.DEVELOPER_NAMES):
            body = f"91469005{i:02d}{rng.randrange(10**7):07d}"
            self.developers.append(Developer(
                name=name, uscc=make_uscc(body), legal_representative=self.person_name(),
                phone=f"0898-63{rng.randrange(10**6):06d}", address=f"海南省文昌市{self.towns[i % 17].name}",
                created_at=self.now))
        db.session.add_all(self.developers)
        self.projects = []
        for i, word in enumerate(ref.PROJECT_WORDS):
            town = self.towns[(i * 7) % 17] if i % 3 else self.towns[0]
            units = rng.choice([120, 240, 360, 480, 600, 880])
            promised = date(2017 + i % 5, 1 + (i * 5) % 12, 28)
            project = Project(
                developer=self.developers[i % len(self.developers)], court=self.circuit, town=town,
                name=word, address=f"文昌市{town.name}{word}路{rng.randrange(1, 99)}号",
                latitude=round(town.latitude + rng.uniform(-0.02, 0.02), 5),
                longitude=round(town.longitude + rng.uniform(-0.02, 0.02), 5),
                presale_permit=f"文房预售字（{promised.year - 2}）第{rng.randrange(1, 80)}号",
                units_total=units, units_delivered=units if i % 4 else units // 2,
                promised_delivery_on=promised, created_at=self.now)
            self.projects.append(project)
        db.session.add_all(self.projects)
        db.session.flush()
        self.echo(f"  参考数据：3 个法院，{len(self.towns)} 个镇，{len(self.developers)} 家开发企业，"
                  f"{len(self.projects)} 个项目")

    def receipt_no(self, submitted_at: datetime) -> str:
        """A receipt number in the format filers are given (``TS20261127-7KQ4M9``), drawn from
        the demo's seeded generator so a rebuild gives the same numbers."""
        while True:
            day = submitted_at.astimezone(SHANGHAI).strftime("%Y%m%d")
            receipt = f"TS{day}-" + "".join(self.rng.choice(RECEIPT_ALPHABET) for _ in range(6))
            if receipt not in self.receipts:
                self.receipts.add(receipt)
                return receipt

    def person_name(self) -> str:
        return self.rng.choice(ref.SURNAMES) + self.rng.choice(ref.GIVEN)

    def new_person(self, name: str | None = None) -> Person:
        self.person_serial += 1
        born = date(1955, 1, 1) + timedelta(days=self.rng.randrange(0, 365 * 45))
        region = self.rng.choice(ref.REGION_CODES)
        body = f"{region}{born:%Y%m%d}{self.person_serial % 1000:03d}"
        return Person(name=name or self.person_name(), resident_id=make_resident_id(body),
                      phone=f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}",
                      created_at=self.now)

    # -- accounts --------------------------------------------------------------------
    def user(self, username: str, name: str, role: Role, phone: str | None = None,
             **bound) -> User:
        user = User(username=username, name=name, role=role, password_hash=self.password_hash,
                    created_at=self.now, phone=phone or f"139{self.rng.randrange(10**8):08d}",
                    **bound)
        db.session.add(user)
        return user

    def accounts(self) -> None:
        self.user("admin", "符书记员", Role.ADMIN, court=self.circuit)
        self.judges = [self.user("judge", "林法官", Role.JUDGE, court=self.circuit),
                       self.user("judge2", "邢法官", Role.JUDGE, court=self.circuit),
                       self.user("judge3", "云法官", Role.JUDGE, court=self.circuit)]
        self.user("judge_meilan", "陈法官", Role.JUDGE, court=self.other_court)
        kinds = ["court", "invited", "housing_bureau", "lawyer", "invited", "court"]
        names = ["吴调解员", "黄特邀调解员", "韩住建调解员", "郑律师", "梁特邀调解员", "冯调解员"]
        self.mediators = []
        for i, (kind, name) in enumerate(zip(kinds, names)):
            username = "mediator" if i == 0 else f"mediator{i + 1}"
            mediator = Mediator(
                user=self.user(username, name, Role.MEDIATOR, court=self.circuit), court=self.circuit,
                kind=kind, skills=sorted(self.rng.sample(sorted(TYPE_WEIGHTS), 4) + ["late_delivery"]),
                home_town=self.towns[(i * 3) % 17], capacity=20 + 5 * i, created_at=self.now)
            # The base is the home town's centre (approximate demo coordinates).
            mediator.base_lat = mediator.home_town.latitude
            mediator.base_lon = mediator.home_town.longitude
            self.mediators.append(mediator)
        db.session.add_all(self.mediators)
        db.session.add(MediatorConflict(mediator=self.mediators[3], developer=self.developers[5],
                                        reason="曾担任该公司常年法律顾问"))
        today = self.now.astimezone(SHANGHAI).date()
        db.session.add(MediatorLeave(mediator=self.mediators[4], starts_on=today - timedelta(days=1),
                                     ends_on=today + timedelta(days=6), reason="年休假"))
        # The demo developer login belongs to the company with the most projects' cases.
        self.user("developer", "椰海置业法务专员", Role.DEVELOPER, developer=self.developers[0])
        self.user("developer2", "航天城地产合规专员", Role.DEVELOPER, developer=self.developers[1])
        self.user("developer3", "清澜湾置业法务", Role.DEVELOPER, developer=self.developers[2])
        self.homeowners = []
        for i in range(5):
            person = self.new_person(["王海燕", "李文华", "张德明", "陈少英", "符亚平"][i])
            db.session.add(person)
            username = "homeowner" if i == 0 else f"homeowner{i + 1}"
            self.homeowners.append(person)
            # One phone number per homeowner: the account's is the party's.
            self.user(username, person.name, Role.HOMEOWNER, phone=person.phone, person=person)
        db.session.flush()
        self.echo("  账号：admin, judge, judge2, judge3, judge_meilan（另一法院）, mediator…mediator6, "
                  "developer…developer3, homeowner…homeowner5")

    # -- cases -----------------------------------------------------------------------
    def local_moment(self, day: date) -> datetime:
        """Office hours on ``day`` (court time), never later than the build's ``now``."""
        moment = datetime.combine(day, time(self.rng.randrange(8, 18), self.rng.randrange(60)),
                                  tzinfo=SHANGHAI)
        return self.past(moment.astimezone(timezone.utc))

    def past(self, moment: datetime) -> datetime:
        """``moment``, or a few minutes before ``now`` if it would lie in the future: the demo
        shows no complaint filed, case registered or step taken after today's present."""
        if moment < self.now:
            return moment
        return self.now - timedelta(minutes=self.rng.randrange(1, 60))

    def random_day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def next_seq(self, year: int) -> int:
        self.seq[year] = self.seq.get(year, 0) + 1
        return self.seq[year]

    def dispute_type(self) -> str:
        types, weights = zip(*TYPE_WEIGHTS.items())
        return self.rng.choices(types, weights)[0]

    def make_case(self, *, received: date, status: str, outcome: str | None,
                  concluded: date | None, pre_litigation: bool, went_to_litigation: bool = False,
                  project: Project | None = None, dispute_type: str | None = None,
                  claimants: list[Person] | None = None, mediator: Mediator | None = None) -> Case:
        rng = self.rng
        project = project or rng.choice(self.projects)
        dispute_type = dispute_type or self.dispute_type()
        received_at = self.local_moment(received)
        registered_at = self.past(received_at + timedelta(hours=rng.randrange(2, 72)))
        if concluded is not None:
            registered_at = min(registered_at, self.local_moment(concluded) - timedelta(hours=1))
        year = registered_at.astimezone(SHANGHAI).year
        seq = self.next_seq(year)
        group_size = len(claimants) if claimants else (rng.randrange(10, 16) if rng.random() < 0.04 else 1)
        claimants = claimants or [self.new_person() for _ in range(group_size)]
        mediator = mediator or (rng.choice(self.mediators) if status != "registered" else None)
        case = Case(
            court=self.circuit, year=year, seq=seq, number=format_case_number(year, COURT_CODE, seq),
            project=project, developer=project.developer, dispute_type=dispute_type,
            is_group=len(claimants) >= 10, status=status, outcome=outcome,
            pre_litigation=pre_litigation, went_to_litigation=went_to_litigation,
            mediator=mediator, judge=rng.choice(self.judges), received_at=received_at,
            registered_at=registered_at, updated_at=registered_at)
        events = [CaseEvent(at=registered_at, actor_role=Role.JUDGE, from_status=None,
                            to_status="registered", reason="受理登记")]
        if status == "registered":
            case.response_due_at = _end_of(assignment_due(registered_at, is_working_day=is_working_day))
        if mediator is not None:
            case.assigned_at = max(registered_at, self.past(
                registered_at + timedelta(days=rng.randrange(0, 3))))
            events.append(CaseEvent(at=case.assigned_at, actor_role=Role.JUDGE,
                                    from_status="registered", to_status="assigned", reason="指派调解员"))
            # (no draw from rng here: the demo's other rows stay as they were)
            if status == "assigned" and seq % 5 < 3:  # awaiting the mediator's answer
                case.response_due_at = _end_of(acceptance_due(case.assigned_at,
                                                              is_working_day=is_working_day))
            else:
                case.accepted_at = max(case.assigned_at, self.past(
                    case.assigned_at + timedelta(hours=1 + seq % 47)))
                case.mediation_deadline_at = case.accepted_at + timedelta(days=30)
                events.append(CaseEvent(at=case.accepted_at, actor_role=Role.MEDIATOR,
                                        from_status="assigned", to_status="assigned",
                                        reason="调解员接受委派"))
        if concluded is not None:
            concluded_at = max(self.local_moment(concluded), (case.assigned_at or registered_at) + timedelta(minutes=1))
            case.concluded_at = concluded_at
            if status == "closed":
                case.closed_at = concluded_at
            events.append(CaseEvent(at=concluded_at, actor_role=Role.MEDIATOR, from_status="in_mediation",
                                    to_status=status, outcome=outcome, reason=_OUTCOME_REASON.get(outcome)))
        case.events = events
        case.updated_at = events[-1].at
        total = 0
        for person in claimants:
            amount = rng.randrange(20_000, 600_000) * 100  # 2万–60万元
            total += amount
            complaint = Complaint(
                receipt_no=self.receipt_no(received_at), court=self.circuit,
                project=project, claimant_person=person, respondent_developer=project.developer,
                unit=f"{rng.randrange(1, 12)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 6)}",
                dispute_type=dispute_type,
                channel=rng.choice(["online", "online", "window", "onsite", "hotline_12345", "referral_housing"]),
                facts=ref.FACT_TEMPLATES[dispute_type].format(
                    promised=project.promised_delivery_on, months=rng.randrange(4, 30),
                    area=rng.randrange(80, 140)),
                status="accepted", case=case, submitted_at=received_at, decided_at=registered_at,
                claims=[ComplaintClaim(kind=ref.CLAIM_KINDS[dispute_type], amount_fen=amount)])
            db.session.add(complaint)
        case.claim_total_fen = total
        db.session.add(case)
        return case

    def outcomes(self, closed: int, rate: str) -> list[str]:
        """Outcomes for ``closed`` concluded cases whose 调撤率 rounds to ``rate`` %."""
        counted = plan_outcome_counts(closed, rate)
        withdrawn = counted // 5
        rest = closed - counted
        deemed = rest // 10  # 按撤诉处理: closed, but never counted as a withdrawal
        dismissed = rest // 12
        outcomes = (["mediated"] * (counted - withdrawn) + ["withdrawn_applied"] * withdrawn
                    + ["withdrawn_deemed"] * deemed + ["dismissed"] * dismissed
                    + ["judged"] * (rest - deemed - dismissed))
        self.rng.shuffle(outcomes)
        return outcomes

    def history(self) -> None:
        rng = self.rng
        # 2018: cases came to court as lawsuits; 885 concluded in 2018, 25 in early 2019.
        h18, h1920 = HISTORY[2018], HISTORY[(2019, 2020)]
        outcomes_2018 = self.outcomes(h18["closed_in_period"], h18["rate"])
        outcomes_1920 = self.outcomes(h1920["closed_in_period"], h1920["rate"])
        carried = outcomes_1920[:CARRIED_OVER_2018]
        own_1920 = outcomes_1920[CARRIED_OVER_2018:]
        for i in range(h18["received"]):
            if i < len(outcomes_2018):
                received = self.random_day(date(2018, 1, 2), date(2018, 10, 31))
                concluded = min(received + timedelta(days=rng.randrange(20, 60)), date(2018, 12, 28))
                outcome = outcomes_2018[i]
            else:
                received = self.random_day(date(2018, 11, 15), date(2018, 12, 28))
                concluded = self.random_day(date(2019, 1, 8), date(2019, 3, 29))
                outcome = carried[i - len(outcomes_2018)]
            self.make_case(received=received, status="closed", outcome=outcome, concluded=concluded,
                           pre_litigation=False, went_to_litigation=True)
            if i % 200 == 199:
                db.session.flush()
                self.echo(f"  2018 年案件：{i + 1}/{h18['received']}")
        db.session.flush()
        self.echo(f"  2018 年案件：{h18['received']}/{h18['received']}")
        late = h1920["received"] - len(own_1920)
        for i in range(h1920["received"]):
            if i < len(own_1920):
                received = self.random_day(date(2019, 1, 2), date(2020, 11, 15))
                concluded = min(received + timedelta(days=rng.randrange(7, 45)), date(2020, 12, 30))
                outcome = own_1920[i]
            else:
                received = self.random_day(date(2020, 11, 20), date(2020, 12, 30))
                concluded = self.random_day(date(2021, 1, 5), date(2021, 2, 26))
                outcome = rng.choice(["mediated", "judged", "withdrawn_applied"])
            went = outcome in ("judged", "dismissed", "withdrawn_deemed") or (
                outcome != "mediated" and rng.random() < 0.3)
            self.make_case(received=received, status="closed", outcome=outcome, concluded=concluded,
                           pre_litigation=True, went_to_litigation=went)
            if i % 200 == 199:
                db.session.flush()
                self.echo(f"  2019–2020 年案件：{i + 1}/{h1920['received']}")
        db.session.flush()
        self.echo(f"  2019–2020 年案件：{h1920['received']}/{h1920['received']}（其中 {late} 件于 2021 年审结）")

    def live(self) -> None:
        """Recent cases in every open state, and complaints awaiting triage."""
        rng = self.rng
        today = self.now.astimezone(SHANGHAI).date()
        open_states = ["registered", "assigned", "scheduled", "in_mediation", "mediated",
                       "confirmed", "performing", "failed", "litigation"]
        main_mediator = self.mediators[0]
        demo_dev_projects = [p for p in self.projects if p.developer is self.developers[0]]
        for i in range(54):
            status = open_states[i % len(open_states)]
            received = today - timedelta(days=rng.randrange(3, 40))
            outcome = "mediated" if status in ("mediated", "confirmed", "performing") else None
            project = demo_dev_projects[i % len(demo_dev_projects)] if i % 3 == 0 else None
            claimants = [self.homeowners[i // 9]] if i % 9 == 0 and i // 9 < len(self.homeowners) else None
            if i == 0:  # `homeowner` is one of a building's claimants in a group case
                claimants += [self.new_person() for _ in range(11)]
            case = self.make_case(received=received, status=status, outcome=outcome,
                                  concluded=today - timedelta(days=1) if outcome else None,
                                  pre_litigation=True, went_to_litigation=status == "litigation",
                                  project=project, claimants=claimants,
                                  mediator=main_mediator if i % 2 and status != "registered" else None)
            if claimants:
                self.tell_parties(case)
        # One building's late-delivery complaints, not yet triaged: a group case in waiting.
        project = demo_dev_projects[0]
        for k in range(12):
            person = self.homeowners[0] if k == 0 else self.new_person()
            submitted = self.local_moment(today - timedelta(days=rng.randrange(0, 6)))
            db.session.add(Complaint(
                receipt_no=self.receipt_no(submitted), court=self.circuit,
                project=project, claimant_person=person, respondent_developer=project.developer,
                unit=f"3栋{k + 1:02d}02", dispute_type="late_delivery", channel="online",
                facts=ref.FACT_TEMPLATES["late_delivery"].format(promised=project.promised_delivery_on),
                status="submitted", submitted_at=submitted,
                claims=[ComplaintClaim(kind="逾期交房违约金", amount_fen=rng.randrange(30_000, 90_000) * 100)]))
        db.session.flush()
        self.echo("  近期案件 54 件（各状态），待分流投诉 12 件")

    def tell_parties(self, case: Case) -> None:
        """The notices a demo homeowner's case would have produced: accepted, and assigned."""
        from app.services import case_notices

        db.session.flush()
        judge = self.judges[0]
        for complaint in db.session.scalars(select(Complaint).where(Complaint.case_id == case.id)):
            case_notices.complaint_accepted(complaint, case, actor=judge, now=case.registered_at)
        if case.mediator is not None and case.assigned_at is not None:
            answer_by = acceptance_due(case.assigned_at, is_working_day=is_working_day)
            case_notices.mediator_assigned(case, case.mediator, answer_by, actor=judge,
                                           now=case.assigned_at)

    def visits(self) -> None:
        """This week's and next week's site visits of the demo ``mediator`` (no draw from rng)."""
        db.session.flush()
        mediator = self.mediators[0]
        open_cases = db.session.scalars(select(Case).where(
            Case.mediator_id == mediator.id, Case.status.in_(("scheduled", "in_mediation")),
            Case.accepted_at.is_not(None)).order_by(Case.project_id, Case.id)).all()
        by_project: dict[int, list[Case]] = {}
        for case in open_cases:
            by_project.setdefault(case.project_id, []).append(case)
        day = self.now.astimezone(SHANGHAI).date()
        made = 0
        for cases in list(by_project.values())[:4]:
            day += timedelta(days=1)
            while not is_working_day(day):
                day += timedelta(days=1)
            starts = datetime.combine(day, time(9, 30), tzinfo=SHANGHAI).astimezone(timezone.utc)
            visit = Visit(court_id=self.circuit.id, mediator=mediator, project_id=cases[0].project_id,
                          room="售楼部洽谈室", starts_at=starts, ends_at=starts + timedelta(hours=2),
                          note="", created_at=self.now)
            visit.cases = cases[:3]
            db.session.add(visit)
            made += 1
        self.echo(f"  上门调解 {made} 次（调解员 mediator）")

    def counters(self) -> None:
        for year, last in sorted(self.seq.items()):
            db.session.add(CaseCounter(court_id=self.circuit.id, year=year, last_seq=last))


_OUTCOME_REASON = {
    "mediated": "达成调解协议", "withdrawn_applied": "申请人申请撤回", "withdrawn_deemed": "按撤诉处理",
    "judged": "调解不成，依法判决", "dismissed": "驳回起诉", "transferred": "移送处理",
}


def wipe() -> None:
    """Empty every table, children first (a hand-kept list missed referral imports and
    group filings, and the rebuild then failed on their foreign keys)."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name != DataVersion.__tablename__:
            db.session.execute(table.delete())
    db.session.expunge_all()  # objects of an earlier build in this session are gone too


def build_demo(*, seed: int, echo, password: str | None = None, now: datetime | None = None) -> None:
    """Rebuild the demo database; prints progress through ``echo``."""
    from flask import current_app

    password = password or current_app.config["DEMO_PASSWORD"]
    now = now or utcnow()
    echo("正在生成演示数据 / building demo data …")
    wipe()
    builder = DemoBuilder(seed, echo, password, now)
    builder.reference()
    builder.accounts()
    builder.history()
    builder.live()
    builder.visits()
    from app import demo_onsite
    demo_onsite.build(builder, password)  # sessions, agreements, confirmation, litigation, 好差评
    builder.counters()
    from app.demo_notices import build_notice_channels
    build_notice_channels(now=now, echo=echo)
    from app.services.case_search import refresh_case_search

    refresh_case_search(db.session.scalars(db.select(Case.id)).all())  # full-text search
    from app.demo_reminders import plan_demo_reminders
    echo(f"  {plan_demo_reminders(now)} reminders planned (/court/reminders)")
    db.session.commit()
    from app.demo_prevent import build_prevention

    build_prevention(builder)  # inquiries, warnings, commitments, blacklist, a guarantee chain
    from app.demo_release import build_release

    echo("  release: {counter_guarantee_cases} cases under counter-guarantees, {released_fen} fen released".format(**build_release(builder)))
    from app.services.case_tallies import fold_case_tallies

    echo(f"  case tallies: {fold_case_tallies(now=now)}")  # the judge's list counts from one row
    echo("完成 / done. 演示账号 (demo logins), 密码 (password) = " + password)
    for username in ("admin", "judge", "judge_meilan", "mediator", "developer", "homeowner"):
        echo(f"  {username}" + ("（另一法院的法官：看不到这些案件 / a judge of another court)"
                                if username == "judge_meilan" else ""))

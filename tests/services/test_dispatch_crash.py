"""The kill test: ``kill -9`` of the dispatcher in the middle of 200 e-mails, then a restart.

A real SMTP server on loopback (aiosmtpd) receives what a dispatcher in a separate
process sends; the process is killed with SIGKILL mid-way and started again later (the
time passed as ``now``, no sleeping). Nothing may be lost, and the only duplicate allowed
is the message that was in the server's hands when the process died — recognisable on
the server by its Message-ID, and counted in the database (``crash_resends``).

Run with ``-s`` to see the counts (received, unique, duplicates) for the notes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notice, User
from app.notify.email import notice_message_id
from app.notify.outbox import queue_notice
from tests.factories import NOW

ROOT = Path(__file__).resolve().parents[2]
NOTICES = 200
SENDER = "notice@wenchang-court.example"

#: The dispatcher process: the scheduler's dispatch job in a loop (limit 50 a run, as the
#: scheduler runs it every minute), at the ``now`` given on the command line.
CHILD = """
import sys
from datetime import datetime
from app import create_app
from app.config import Settings
from app.notify.dispatch import deliver_pending

url, port, now, upload = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), sys.argv[4]
settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": url, "UPLOAD_DIR": upload,
                              "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
                              "MAIL_SENDER": "notice@wenchang-court.example"})
app = create_app(settings)
with app.app_context():
    total = 0
    while True:
        report = deliver_pending(now=now, limit=50)
        total += report.sent
        if report.recovered:
            print(report.line(), flush=True)
        if not report.claimed:
            break
    print(f"sent {total}", flush=True)
"""


class KillingRecorder:
    """Keeps every message; on the ``kill_at``-th one it SIGKILLs the dispatcher *after*
    storing the message and before answering 250 — the crash window itself."""

    def __init__(self, kill_at: int | None):
        self.messages = []
        self.kill_at = kill_at
        self.pid: int | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.lock:
            self.messages.append(message)
            if self.kill_at is not None and len(self.messages) == self.kill_at and self.pid:
                os.kill(self.pid, signal.SIGKILL)
        return "250 Message accepted for delivery"


def _queue_200(app, make) -> dict[int, str]:
    """200 e-mail notices to 200 homeowners, committed; returns id → dedupe key."""
    users = [make.user("homeowner", email=f"owner{i}@example.com") for i in range(NOTICES)]
    with app.app_context():
        for i, user in enumerate(users):
            queue_notice(user=db.session.get(User, user.id), kind="mediator_assigned",
                         subject=f"案件已指派调解员：（2026）琼9005民诉前调{i + 1}号",
                         body="调解员将与您联系。", dedupe_key=f"kill:{i}", now=NOW)
        db.session.commit()
        return dict(db.session.execute(
            select(Notice.id, Notice.dedupe_key).where(Notice.channel == "email")).all())


def _start(app, database_url, port, now, tmp_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(port), now.isoformat(), str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("moment", ["in the server's hands", "from outside, once 60 arrived"])
def test_kill_9_during_a_dispatch_of_200_emails_loses_none_and_duplicates_are_recognisable(
        app, make, mail_configured, database_url, tmp_path, moment):
    """Does every notice arrive after a kill -9 and a restart, with at most the one
    message in flight duplicated — and is that duplicate known by its Message-ID?"""
    from aiosmtpd.controller import Controller

    keys = _queue_200(app, make)
    port = mail_configured["MAIL_PORT"]
    recorder = KillingRecorder(kill_at=73 if moment == "in the server's hands" else None)
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        child = _start(app, database_url, port, NOW, tmp_path)
        recorder.pid = child.pid
        if recorder.kill_at is None:  # kill whenever the server has received some
            deadline = time.monotonic() + 120
            while len(recorder.messages) < 60 and child.poll() is None:
                assert time.monotonic() < deadline, "the dispatcher sent nothing"
                time.sleep(0.001)
            os.kill(child.pid, signal.SIGKILL)
        out, err = child.communicate(timeout=120)
        assert child.returncode == -signal.SIGKILL, (child.returncode, out, err)
        before_restart = len(recorder.messages)
        assert 0 < before_restart < NOTICES

        # The restart, after the crashed run's lease (5 minutes, renewed while it ran) ran out.
        again = _start(app, database_url, port, NOW + timedelta(minutes=30), tmp_path)
        out, err = again.communicate(timeout=180)
        assert again.returncode == 0, (out, err)
    finally:
        controller.stop()

    received = [m["Message-ID"] for m in recorder.messages]
    copies = Counter(received)
    duplicates = sorted(mid for mid, n in copies.items() if n > 1)
    print(f"\nkill test ({moment}, {db_name(database_url)}): killed after "
          f"{before_restart} received; total received {len(received)}, "
          f"unique {len(copies)}, duplicates {len(received) - len(copies)}; "
          f"restart said: {out.strip().splitlines()[0]}")

    expected = {notice_message_id(i, key, SENDER) for i, key in keys.items()}
    assert set(copies) == expected  # none lost, nothing foreign
    assert len(received) - len(copies) <= 1  # only the message in the crash window
    with app.app_context():
        rows = db.session.execute(select(Notice.id, Notice.dedupe_key, Notice.status,
                                         Notice.crash_resends)
                                  .where(Notice.channel == "email")).all()
    assert {row.status for row in rows} == {"sent"}
    flagged = {notice_message_id(row.id, row.dedupe_key, SENDER)
               for row in rows if row.crash_resends}
    assert set(duplicates) <= flagged  # every duplicate is reported, none silent
    assert len(flagged) <= 1
    if moment == "in the server's hands":
        assert len(duplicates) == 1 and len(received) == NOTICES + 1
        # The 73rd message is both the duplicate and the one reported.
        assert duplicates == sorted(flagged) == [received[72]]
        assert "possibly sent twice" in out


def db_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"

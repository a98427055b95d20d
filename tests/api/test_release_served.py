"""Many judges approve the same stage at once against the app *served by gunicorn with several
worker processes* (not in-process): one request gets 200, every other 409, the asset is never
released beyond its frozen value, and the housing bureau gets one task. Runs on whichever
database the suite uses (SQLite file or PostgreSQL); the figures are printed (pytest -s)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AgencyTask, Notice
from app.models.release import AssetRelease, FrozenAsset
from tests.services.test_release_bureau import _developer_with, _officer

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
REQUESTS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(app):
    """gunicorn serving ``wsgi:app`` on the suite's database, with WORKERS sync workers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip(f"gunicorn is not installed next to {sys.executable}")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "UPLOAD_DIR": str(app.config["UPLOAD_DIR"]),
           "PAGE_CACHE": "off"}
    process = subprocess.Popen([str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
                                "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=15):
                    break
            except (urllib.error.URLError, OSError):  # refused, reset or timed out while booting
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_simultaneous_approvals_served_by_gunicorn_workers_release_once(app, make, bearer, served):
    presale = _developer_with(app, make, "presale_account")
    _officer(make, presale["court"])
    judges = [make.user("judge", court=presale["court"]) for _ in range(2)]  # two judges, and retries
    headers = [bearer(judges[i % 2]) for i in range(REQUESTS)]
    url = f"{served}/api/v1/release-plans/{presale['plan']}/stages/1/approve"
    statuses: list[int] = []
    barrier = threading.Barrier(REQUESTS)

    def approve(i: int) -> None:
        barrier.wait()
        request = urllib.request.Request(url, method="POST", headers=headers[i], data=b"")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    started = time.perf_counter()
    threads = [threading.Thread(target=approve, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"\n{REQUESTS} concurrent approvals, gunicorn {WORKERS} workers, {backend}: "
          f"{sorted(statuses)} in {elapsed:.2f} s")
    assert sorted(statuses) == [200] + [409] * (REQUESTS - 1)
    with app.app_context():
        db.session.expire_all()
        asset = db.session.get(FrozenAsset, presale["asset"])
        assert asset.released_fen == 50_000_000 <= asset.frozen_fen
        assert len(db.session.scalars(select(AssetRelease)).all()) == 1
        assert len(db.session.scalars(select(AgencyTask)).all()) == 1
        assert len(db.session.scalars(select(Notice).where(Notice.kind == "presale_released")).all()) == 1

"""The court's rules stay pure: mediation/ and risk/ import no framework (ARCHITECTURE.md)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"flask", "flask_sqlalchemy", "flask_login", "flask_babel", "flask_wtf",
             "flask_migrate", "flask_limiter", "sqlalchemy", "alembic", "apscheduler",
             "reportlab", "app", "werkzeug", "jinja2", "wsgi"}
DOMAIN_FILES = sorted(p for pkg in ("mediation", "risk") for p in (ROOT / pkg).rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_imports_no_framework(path):
    """Does any module of mediation/ or risk/ import Flask, SQLAlchemy, APScheduler, reportlab or app?"""
    assert not (_imported_roots(path) & FORBIDDEN)


def test_risk_imports_nothing_from_app_even_indirectly():
    """Importing every domain module pulls no framework into the interpreter."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in DOMAIN_FILES]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

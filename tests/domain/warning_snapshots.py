"""Small builders of warning snapshots (the JSON shape of docs/early-warnings.md) for the tests."""
from datetime import date, timedelta

from risk.warnings import assess, read_snapshot

TODAY = date(2026, 11, 30)


def iso(d: date) -> str:
    return d.isoformat()


def days_ago(n: int, today: date = TODAY) -> str:
    return iso(today - timedelta(days=n))


def project(id="P1", developer_id="D1", units=100, delivered_units=100, promised_delivery=None,
            complaints=()):
    return {"id": id, "developer_id": developer_id, "units": units,
            "delivered_units": delivered_units, "promised_delivery": promised_delivery,
            "complaints": list(complaints)}


def inquiry(id="I1", project_id="P1", deadline="2026-11-01", answered_on=None, review=None,
            rectify_by=None, rectified_on=None):
    return {"id": id, "project_id": project_id, "deadline": deadline, "answered_on": answered_on,
            "review": review, "rectify_by": rectify_by, "rectified_on": rectified_on}


def snapshot(today=TODAY, projects=None, inquiries=(), milestones=(), commitments=(),
             guarantees=(), blacklisted=()):
    return {"today": iso(today), "projects": [project()] if projects is None else list(projects),
            "inquiries": list(inquiries), "milestones": list(milestones),
            "commitments": list(commitments), "guarantees": list(guarantees),
            "blacklisted": list(blacklisted)}


def evaluate(data: dict, **kwargs):
    return assess(read_snapshot(data), **kwargs)


def project_result(evaluation, id="P1"):
    return next(p for p in evaluation.projects if p.id == id)


def developer_result(evaluation, id="D1"):
    return next(d for d in evaluation.developers if d.id == id)


def rule_level(assessment, rule):
    """The level ``rule`` gave, or ``"none"`` when it did not fire."""
    return next((w.level.code for w in assessment.warnings if w.rule == rule), "none")

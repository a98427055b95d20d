"""Release plans and frozen assets: judges approve stages; a developer sees only its own.

``POST /release-plans/{id}/stages/{n}/approve`` answers 200 for the one approval that takes
effect and 409 when the stage was already approved or its preconditions are unmet
(docs/release-in-the-app.md).
"""
from __future__ import annotations

import json

from app.access import Permission, can
from app.api import api_bp, current_api_user, int_arg, iso, token_required
from app.errors import problem
from app.models.types import utcnow
from app.services import release
from app.services.errors import NotFoundError
from mediation.messages import Msg


_FORBIDDEN = Msg("您的角色不能使用这个接口。", "Your role may not use this call.")


class _Of:
    """A developer named by id only, for ``can`` (access reads ``developer_id``)."""

    def __init__(self, developer_id: int):
        self.developer_id = developer_id


def plan_item(plan) -> dict:
    data = json.loads(plan.plan_json)
    return {"id": plan.id, "developer_id": plan.developer_id, "status": plan.status,
            "created_at": iso(plan.created_at), "total_released": data["total_released"],
            "blocked": data["blocked"],
            # Extended, never renamed (docs/contracts.md): guarantees lapsing before the plan ends.
            "expiring_guarantees": release.kept_plan_expiry(plan),
            "stages": [{"number": s.number, "status": s.status, "approved_at": iso(s.approved_at),
                        "release": data["stages"][s.number - 1]["release"],
                        "perform": data["stages"][s.number - 1]["perform"]} for s in plan.stages]}


@api_bp.get("/release-plans")
@token_required
def list_release_plans():
    """A developer's release plans.
    ---
    get:
      summary: Release plans of one developer (a developer sees only its own)
      parameters: [{in: query, name: developer_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    if not can(user, Permission.RELEASE_VIEW):  # the role first, then the arguments
        return problem(403, "Forbidden", _FORBIDDEN)
    # An id past PostgreSQL's integer reached SQL and answered 500 (found by tests/fuzz).
    developer_id = int_arg("developer_id", None, 0, 2**31 - 1)
    if developer_id is None:
        return problem(422, "Invalid input", errors=[{"field": "developer_id", "message": Msg("请填写开发企业编号", "give a developer id")}])
    if not can(user, Permission.RELEASE_VIEW, _Of(developer_id)):
        return problem(404, "Not Found", Msg("没有这个开发企业。", "No such developer."))
    return {"items": [plan_item(p) for p in release.plans_of(developer_id)]}


@api_bp.post("/release-plans/<int(max=2147483647):plan_id>/stages/<int(max=2147483647):number>/approve")
@token_required
def approve_release_stage(plan_id: int, number: int):
    """Approve (and release) one stage, once.
    ---
    post:
      summary: Approve a stage; 200 once, 409 when already approved or preconditions are unmet
      parameters:
        - {in: path, name: plan_id, required: true, schema: {type: integer}}
        - {in: path, name: number, required: true, schema: {type: integer}}
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
        409: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    if not can(user, Permission.RELEASE_APPROVE):  # approving a release is a judge's act
        return problem(403, "Forbidden", _FORBIDDEN)
    if not can(user, Permission.RELEASE_APPROVE, release.plan_view(plan_id)):
        raise NotFoundError(Msg("没有这个解封计划。", "No such release plan."))  # another court's
    stage = release.approve_stage(plan_id, number, actor_id=user.id, actor_role=user.role, now=utcnow())
    return {"plan_id": plan_id, "number": stage.number, "status": stage.status,
            "approved_at": iso(stage.approved_at)}


@api_bp.get("/assets/<int(max=2147483647):asset_id>")
@token_required
def get_asset(asset_id: int):
    """A frozen asset and its release ledger.
    ---
    get:
      summary: A frozen asset — frozen, released and remaining value in fen, and its ledger
      parameters: [{in: path, name: asset_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    if not can(user, Permission.RELEASE_VIEW):
        return problem(403, "Forbidden", _FORBIDDEN)
    asset = release.asset_view(asset_id)
    if not can(user, Permission.RELEASE_VIEW, asset):
        raise NotFoundError(Msg("没有这项财产。", "No such asset."))  # another developer's asset is not there for it
    return {"id": asset.id, "kind": asset.kind, "label": asset.label, "frozen_fen": asset.frozen_fen,
            "released_fen": asset.released_fen, "remaining_fen": asset.remaining_fen,
            "ledger": [{"stage_id": r.stage_id, "amount_fen": r.amount_fen, "released_at": iso(r.released_at)}
                       for r in asset.ledger]}

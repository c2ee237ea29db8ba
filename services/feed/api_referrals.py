"""/v1/referrals: the pull feed, one referral, and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import ValidationError

from schemas.outcome import ReferralOutcome
from services.errors import BrokerUnavailable
from services.feed import cursor as cursors
from services.feed import queries
from services.feed.api_deps import NOT_FOUND, Caller, Ctx
from services.feed.api_models import OutcomeAccepted, OutcomeIn, ReferralEvent, ReferralPage

__all__ = ["router"]

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])


@router.get("", response_model=ReferralPage)
def list_referrals(
    caller: Caller, ctx: Ctx,
    after: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int | None, Query(ge=1, description="page size; capped at the maximum")]
    = None,
) -> dict[str, Any]:
    """Your referrals and withdrawals, oldest first. An empty page keeps the cursor: poll it."""
    try:
        positions = cursors.decode(after)
    except cursors.CursorError as exc:
        raise HTTPException(400, str(exc)) from exc
    size = min(limit or ctx.config.page_default, ctx.config.page_max)
    page = queries.list_events(ctx.store, caller.employer_id, positions, size)
    return {"items": page.items, "next_cursor": cursors.encode(page.positions),
            "has_more": page.has_more}


@router.get("/{referral_id}", response_model=ReferralEvent)
def get_referral(caller: Caller, ctx: Ctx, referral_id: str) -> dict[str, Any]:
    """One referral in its current state (its latest event)."""
    event = queries.latest_event(ctx.store, caller.employer_id, referral_id)
    if event is None:
        raise HTTPException(404, NOT_FOUND)
    return event


@router.post("/{referral_id}/outcome", response_model=OutcomeAccepted, status_code=202)
def report_outcome(caller: Caller, ctx: Ctx, referral_id: str,
                   body: OutcomeIn) -> dict[str, Any]:
    """Tell us what happened: acknowledged, interviewing, hired, or rejected (with a reason)."""
    if queries.latest_event(ctx.store, caller.employer_id, referral_id) is None:
        raise HTTPException(404, NOT_FOUND)
    if ctx.publisher is None:
        raise HTTPException(503, "outcomes are not accepted by this server")
    try:
        outcome = ReferralOutcome(referral_id=referral_id, outcome=body.outcome,
                                  reason=body.reason, employer_id=caller.employer_id,
                                  reported_at=datetime.now(UTC))
    except ValidationError as exc:
        detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]
        raise HTTPException(422, detail) from exc
    try:
        ctx.publisher.publish(outcome)
    except BrokerUnavailable as exc:
        raise HTTPException(503, "outcome not recorded; try again",
                            headers={"Retry-After": "5"}) from exc
    return {"referral_id": referral_id, "outcome": outcome.outcome, "reason": outcome.reason,
            "reported_at": outcome.reported_at.isoformat().replace("+00:00", "Z")}

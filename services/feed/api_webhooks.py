"""/v1/webhooks: an employer's endpoints and their delivery logs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from services.feed.api_deps import NOT_FOUND, Caller, Ctx
from services.feed.api_models import DeliveryLog, WebhookCreated, WebhookIn, WebhookList
from services.feed.ssrf import UnsafeUrl
from services.feed.webhooks_store import (
    add_endpoint,
    delivery_log,
    list_endpoints,
    remove_endpoint,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post("", response_model=WebhookCreated, status_code=201)
def create_webhook(caller: Caller, ctx: Ctx, body: WebhookIn) -> dict[str, Any]:
    """Register an https endpoint for new referrals and withdrawals. Its signing secret is in
    this response only. Private, loopback and metadata addresses are refused."""
    try:
        endpoint, secret = add_endpoint(ctx.store, caller.employer_id, body.url, ctx.config,
                                        ctx.resolver)
    except UnsafeUrl as exc:
        raise HTTPException(422, f"webhook url refused: {exc}") from exc
    return {**endpoint.__dict__, "secret": secret}


@router.get("", response_model=WebhookList)
def list_webhooks(caller: Caller, ctx: Ctx) -> dict[str, Any]:
    return {"items": [e.__dict__ for e in list_endpoints(ctx.store, caller.employer_id)]}


@router.delete("/{endpoint_id}", status_code=204)
def delete_webhook(caller: Caller, ctx: Ctx, endpoint_id: str) -> Response:
    if not remove_endpoint(ctx.store, caller.employer_id, endpoint_id):
        raise HTTPException(404, NOT_FOUND)
    return Response(status_code=204)


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryLog)
def webhook_deliveries(caller: Caller, ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    """The endpoint's delivery attempts, newest first."""
    if not any(e.endpoint_id == endpoint_id
               for e in list_endpoints(ctx.store, caller.employer_id)):
        raise HTTPException(404, NOT_FOUND)
    return {"items": delivery_log(ctx.store, caller.employer_id, endpoint_id)}

"""The HTTP ingest API: publishers POST clients and vacancies, one record or a batch.

    POST   /v1/clients              one ClientProfile (JSON object) or a batch (JSON array)
    POST   /v1/vacancies            the same for Vacancy
    DELETE /v1/clients/{client_id}  erasure: a tombstone on the clients topic
    GET    /healthz, /docs, /openapi.json

Every request carries ``Authorization: Bearer <token>`` (see ``tokens.py``): no token or an
unknown or revoked one -> 401; a token without the route's scope -> 403. The body is read
with a cap (413 past it), whatever Content-Length says. Each record gets an answer, with its
index: ``accepted`` (the broker acknowledged it), ``rejected`` (with the reason; it went to
the dead-letter topic) or ``failed`` (not acknowledged: send it again). Status: 200 when every
record got a verdict, 422 for a single rejected record, 400 for a body that is not JSON, 503
when the broker did not acknowledge every record.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from schemas.validation import RecordKind
from services.ingest.metrics import IngestMetrics
from services.ingest.pipeline import Accounting, Ingestor, is_valid_id
from services.ingest.readers import RawRecord, Unreadable
from services.ingest.tokens import TokenInfo, TokenStore
from services.observability import health_router

if TYPE_CHECKING:
    from services.ingest.publisher import Publisher

__all__ = ["ApiLimits", "create_app", "split_json_array"]

log = logging.getLogger("jobmatch.ingest.api")

_BODY_SCHEMA = {
    "oneOf": [
        {"type": "object", "description": "one record (see schemas/jsonschema/*.v1.json)"},
        {"type": "array", "items": {"type": "object"}, "description": "a batch of records"},
    ]
}


@dataclass(frozen=True)
class ApiLimits:
    max_body_bytes: int = 8 * 1024 * 1024
    max_batch_records: int = 2000
    ack_timeout_s: float = 30.0


class _Refusal(Exception):
    """A control-flow signal carrying an error response."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


def split_json_array(text: str) -> list[str]:
    """The source text of each element of a JSON array, so that each is validated from its own
    bytes exactly as a line of a file is. Raises ValueError for a malformed array, whatever
    made the parser fail (too deep, a number too long, ...): the caller answers 400."""
    try:
        return _split_json_array(text)
    except ValueError:
        raise
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except Exception as exc:  # any parse failure is a malformed body, not a 500
        raise ValueError(f"unparseable ({type(exc).__name__})") from None


def _keep_text(text: str) -> str:
    return text


def _split_json_array(text: str) -> list[str]:
    # Only the elements' boundaries are needed here: numbers and constants are left as text, so
    # that one record's over-long number or NaN is that record's rejection (by ``validate``,
    # with a reason), not the whole batch's.
    decoder = json.JSONDecoder(parse_int=_keep_text, parse_float=_keep_text,
                               parse_constant=_keep_text)
    i, n = 0, len(text)
    ws = " \t\r\n"
    while i < n and text[i] in ws:
        i += 1
    if i >= n or text[i] != "[":
        raise ValueError("expected a JSON array")
    i += 1
    items: list[str] = []
    while True:
        while i < n and text[i] in ws:
            i += 1
        if i < n and text[i] == "]" and not items:
            i += 1
            break
        _, end = decoder.raw_decode(text, i)
        items.append(text[i:end])
        i = end
        while i < n and text[i] in ws:
            i += 1
        if i < n and text[i] == ",":
            i += 1
            continue
        if i < n and text[i] == "]":
            i += 1
            break
        raise ValueError(f"expected ',' or ']' at character {i}")
    if text[i:].strip(ws):
        raise ValueError(f"extra data after the array at character {i}")
    return items


def create_app(publisher: Publisher, tokens: TokenStore,
               limits: ApiLimits | None = None) -> FastAPI:
    """The ASGI app. The publisher and token store are built by the caller (the entry point)."""
    limits = limits or ApiLimits()
    metrics = IngestMetrics()
    app = FastAPI(
        title="jobmatch ingest",
        version="1",
        description=__doc__,
    )

    @app.exception_handler(_Refusal)
    async def _refused(_request: Request, exc: _Refusal) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    def scope(name: str) -> Any:
        def check(request: Request) -> TokenInfo:
            header = request.headers.get("authorization", "")
            kind, _, token = header.partition(" ")
            challenge = {"WWW-Authenticate": "Bearer"}
            if kind.lower() != "bearer" or not token.strip():
                raise _Refusal(401, "missing bearer token", challenge)
            info = tokens.authenticate(token.strip())
            if info is None:
                raise _Refusal(401, "unknown or revoked token", challenge)
            if name not in info.scopes:
                raise _Refusal(403, f"this token has no '{name}' scope")
            return info
        return Depends(check)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limits.max_body_bytes:
            raise _Refusal(413, f"request body over {limits.max_body_bytes} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body_bytes:
                raise _Refusal(413, f"request body over {limits.max_body_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    clients_scope, vacancies_scope, erase_scope = scope("clients"), scope("vacancies"), scope(
        "erase")

    async def post(kind: RecordKind, request: Request, publisher_name: str) -> JSONResponse:
        body = await read_body(request)
        request_id = f"req-{uuid.uuid4().hex}"
        response, accounting = await run_in_threadpool(
            _ingest_body, publisher, kind, body, request_id=request_id,
            publisher_name=publisher_name, limits=limits)
        metrics.count(kind, accounting)
        return response

    @app.post("/v1/clients", openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": _BODY_SCHEMA}}}})
    async def post_clients(request: Request,
                           auth: TokenInfo = clients_scope) -> JSONResponse:
        """Publish ClientProfile records."""
        return await post("client", request, auth.publisher)

    @app.post("/v1/vacancies", openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": _BODY_SCHEMA}}}})
    async def post_vacancies(request: Request,
                             auth: TokenInfo = vacancies_scope) -> JSONResponse:
        """Publish Vacancy records."""
        return await post("vacancy", request, auth.publisher)

    @app.delete("/v1/clients/{client_id}")
    async def erase_client(client_id: str,
                           auth: TokenInfo = erase_scope) -> JSONResponse:
        """Erase a client: a tombstone (no value) under its id on the clients topic."""
        if not is_valid_id(client_id):
            raise _Refusal(422, "client_id must be 1-64 characters of A-Z a-z 0-9 . _ -")
        request_id = f"req-{uuid.uuid4().hex}"
        return await run_in_threadpool(_erase, publisher, client_id, request_id,
                                       auth.publisher, limits)

    app.include_router(health_router(lambda: True, registry=metrics.registry))
    app.state.metrics = metrics
    return app


def _ingest_body(publisher: Publisher, kind: RecordKind, body: bytes, *, request_id: str,
                 publisher_name: str, limits: ApiLimits) -> tuple[JSONResponse, Accounting]:
    ingestor = Ingestor(publisher, kind, "http")
    headers = {"X-Request-ID": request_id}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _bad_body(ingestor, request_id, body, f"not valid UTF-8 at byte {exc.start}",
                         limits)
    stripped = text.lstrip(" \t\r\n")
    single = not stripped.startswith("[")
    if single:
        raws: list[RawRecord] = [body]
    else:
        try:
            raws = [item.encode("utf-8", "surrogatepass") for item in split_json_array(text)]
        except ValueError as exc:
            return _bad_body(ingestor, request_id, body, f"invalid JSON array: {exc}", limits)
        if len(raws) > limits.max_batch_records:
            return JSONResponse(
                {"request_id": request_id,
                 "detail": f"batch of {len(raws)} records; at most {limits.max_batch_records}"},
                status_code=413, headers=headers), Accounting()
    verdicts = [ingestor.submit(f"{request_id}#{i}", raw) for i, raw in enumerate(raws)]
    accounting = ingestor.finish(limits.ack_timeout_s)
    failed = {f.position: f for f in accounting.failures}
    results: list[dict[str, Any]] = []
    for i, verdict in enumerate(verdicts):
        item: dict[str, Any] = {"index": i, "status": verdict.status}
        if verdict.record_id is not None:
            item["id"] = verdict.record_id
        if verdict.reason is not None:
            item["reason"] = verdict.reason
        if verdict.position in failed:
            # Not acknowledged: a rejected record whose dead letter failed is still rejected,
            # but a valid record must be sent again.
            if verdict.status == "accepted":
                item["status"] = "failed"
            item["error"] = "not acknowledged by the broker; send it again"
        results.append(item)
    log.info("request %s from %s: %s %s read, %d accepted, %d rejected, %d failed",
             request_id, publisher_name, len(raws), kind, accounting.published,
             accounting.rejected, accounting.failed)
    status = 200
    if accounting.failed:
        status = 503
        headers["Retry-After"] = "5"
    elif single and results[0]["status"] == "rejected":
        status = 422
    return JSONResponse(_summary(request_id, accounting, results), status_code=status,
                        headers=headers), accounting


def _summary(request_id: str, accounting: Accounting,
             results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "accepted": sum(1 for r in results if r["status"] == "accepted"),
        "rejected": sum(1 for r in results if r["status"] == "rejected"),
        "failed": sum(1 for r in results if r["status"] == "failed"),
        "results": results,
    }


def _bad_body(ingestor: Ingestor, request_id: str, body: bytes, reason: str,
              limits: ApiLimits) -> tuple[JSONResponse, Accounting]:
    ingestor.reject(request_id, Unreadable(reason, body), reason)
    accounting = ingestor.finish(limits.ack_timeout_s)
    return JSONResponse(
        {"request_id": request_id, "detail": reason,
         "dead_lettered": accounting.rejected == 1},
        status_code=400, headers={"X-Request-ID": request_id}), accounting


def _erase(publisher: Publisher, client_id: str, request_id: str, publisher_name: str,
           limits: ApiLimits) -> JSONResponse:
    ingestor = Ingestor(publisher, "client", "http")
    ingestor.submit_tombstone(request_id, client_id)
    accounting = ingestor.finish(limits.ack_timeout_s)
    headers = {"X-Request-ID": request_id}
    if accounting.published != 1:
        return JSONResponse({"request_id": request_id, "client_id": client_id,
                             "status": "failed",
                             "error": "not acknowledged by the broker; send it again"},
                            status_code=503, headers={**headers, "Retry-After": "5"})
    log.info("request %s from %s: erasure published for client_id=%s", request_id,
             publisher_name, client_id)
    return JSONResponse({"request_id": request_id, "client_id": client_id,
                         "status": "erased"}, status_code=200, headers=headers)

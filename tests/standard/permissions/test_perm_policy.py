"""The policy adapter against a real HTTP decision service on loopback, and its fallbacks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import pytest
from perm_doctypes import closed_port_url, person

from framework_m_core.doctypes import ApiKey
from framework_m_core.exceptions import ConfigurationError
from framework_m_core.interfaces.auth_context import UserContext
from framework_m_core.interfaces.permission import DecisionSource, PolicyEvaluateRequest
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import PermissionSettings, PolicySettings
from framework_m_standard.adapters.permissions.policy import (
    AuthorizationRequest,
    PolicyPermissionAdapter,
    PolicyUnavailableError,
)
from framework_m_standard.adapters.permissions.rbac import RbacPermissionAdapter

Fallback = Literal["deny", "allow", "rbac"]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    payload: Any


def alice_only(payload: Any) -> Reply:
    allowed = payload["principal"] == "alice"
    answer = {"allowed": allowed, "reason": "alice only", "policy_id": "p-7"}
    return Reply(body=json.dumps(answer).encode())


@dataclass
class DecisionServer:
    """A minimal HTTP/1.1 server: records each request, answers with ``respond(payload)``."""

    respond: Callable[[Any], Reply] = alice_only
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1/authorize"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in head[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            payload = json.loads(body)
            self.seen.append(Seen(path, headers, payload))
            reply = self.respond(payload)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            writer.write(
                f"HTTP/1.1 {reply.status} Reply\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n".encode()
                + reply.body
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._handlers.discard(task)


@pytest.fixture
async def server() -> AsyncIterator[DecisionServer]:
    server = DecisionServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def rbac(registry: MetaRegistry) -> RbacPermissionAdapter:
    return RbacPermissionAdapter(registry, PermissionSettings())


@pytest.fixture
async def make_policy(
    rbac: RbacPermissionAdapter,
) -> AsyncIterator[Callable[..., PolicyPermissionAdapter]]:
    made: list[PolicyPermissionAdapter] = []

    def make(url: str, fallback: Fallback = "deny", **options: Any) -> PolicyPermissionAdapter:
        adapter = PolicyPermissionAdapter(
            PolicySettings(url=url, fallback=fallback, **options), fallback=rbac
        )
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        await adapter.aclose()


ALICE = person("alice")  # no roles: RBAC would refuse her everything
BOB = person("bob", "Employee")  # RBAC would let him read PermNote


# ---------------------------------------------------------------- the service decides
async def test_the_service_allows_and_denies(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    policy = make_policy(server.url)
    assert await policy.has_permission(ALICE, "PermNote", "delete")
    assert not await policy.has_permission(BOB, "PermNote", "read")
    allowed = await policy.evaluate(PolicyEvaluateRequest.for_user(ALICE, "PermNote", "read"))
    assert allowed.authorized
    assert allowed.decision_source is DecisionSource.EXTERNAL
    assert allowed.reason == "alice only (policy p-7)"
    denied = await policy.evaluate(PolicyEvaluateRequest.for_user(BOB, "PermNote", "read"))
    assert not denied.authorized
    assert denied.decision_source is DecisionSource.EXTERNAL
    assert len(server.seen) == 4


async def test_what_the_service_is_sent(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    policy = make_policy(server.url, headers={"Authorization": "Bearer s3cret"})
    user = person("alice", "Employee", teams=("sales",), tenants=("acme",))
    await policy.has_permission(user, "PermNote", "read")
    key = ApiKey(key_hash="digest", user_id="alice", label="ci")
    await policy.has_permission(user, "ApiKey", "write", key)

    first, second = server.seen
    assert first.path == "/v1/authorize"
    assert first.headers["authorization"] == "Bearer s3cret"
    assert first.headers["content-type"] == "application/json"
    assert first.payload["principal"] == "alice"
    assert first.payload["action"] == "PermNote:read"
    assert first.payload["resource"] == "PermNote:*"
    assert first.payload["tenant_id"] == "acme"
    assert first.payload["principal_attributes"]["roles"] == ["Employee"]
    assert first.payload["principal_attributes"]["teams"] == ["sales"]
    assert first.payload["resource_attributes"] == {}
    assert set(first.payload) == set(AuthorizationRequest.model_fields)

    assert second.payload["action"] == "ApiKey:write"
    assert second.payload["resource"] == f"ApiKey:{key.id}"
    assert second.payload["resource_attributes"]["label"] == "ci"
    assert second.payload["resource_attributes"]["id"] == str(key.id)
    assert "key_hash" not in second.payload["resource_attributes"]


async def test_a_mapping_document_is_sent_as_attributes(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    policy = make_policy(server.url)
    await policy.has_permission(ALICE, "PermNote", "write", {"id": "n-1", "owner": "bob"})
    assert server.seen[0].payload["resource"] == "PermNote:n-1"
    assert server.seen[0].payload["resource_attributes"] == {"id": "n-1", "owner": "bob"}


async def test_system_users_are_not_sent_to_the_service(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    policy = make_policy(server.url)
    system = UserContext.system()
    assert await policy.has_permission(system, "PermNote", "delete")
    assert (
        await policy.evaluate(PolicyEvaluateRequest.for_user(system, "PermNote", "read"))
    ).authorized
    assert server.seen == []


async def test_row_filters_come_from_the_fallback(
    server: DecisionServer,
    make_policy: Callable[..., PolicyPermissionAdapter],
    rbac: RbacPermissionAdapter,
) -> None:
    policy = make_policy(server.url)
    user = person("alice", "Employee")
    filters = await policy.get_permitted_filters(user, "PermNote", "write")
    assert filters == await rbac.get_permitted_filters(user, "PermNote", "write")
    assert filters != []
    assert server.seen == []


# ---------------------------------------------------------------- fallbacks
FALLBACK_CASES = [
    ("deny", ALICE, False),
    ("deny", BOB, False),
    ("allow", ALICE, True),
    ("allow", BOB, True),
    ("rbac", ALICE, False),
    ("rbac", BOB, True),
]
"""(mode, user, decision) for ``read`` on PermNote when the service gives no usable answer."""


@pytest.mark.parametrize(("mode", "user", "expected"), FALLBACK_CASES)
async def test_timeout_applies_the_fallback(
    server: DecisionServer,
    registry: MetaRegistry,
    rbac: RbacPermissionAdapter,
    mode: Fallback,
    user: UserContext,
    expected: bool,
) -> None:
    server.respond = lambda payload: Reply(body=b'{"allowed": true}', delay=5)
    # The client's own timeout is long: the configured policy timeout must be what applies.
    async with httpx.AsyncClient(timeout=30) as client:
        policy = PolicyPermissionAdapter(
            PolicySettings(url=server.url, fallback=mode, timeout=0.2), fallback=rbac, client=client
        )
        assert await policy.has_permission(user, "PermNote", "read") is expected
        await policy.aclose()
        assert not client.is_closed
    assert len(server.seen) == 1


@pytest.mark.parametrize(("mode", "user", "expected"), FALLBACK_CASES)
async def test_server_error_applies_the_fallback(
    server: DecisionServer,
    make_policy: Callable[..., PolicyPermissionAdapter],
    mode: Fallback,
    user: UserContext,
    expected: bool,
) -> None:
    server.respond = lambda payload: Reply(status=500, body=b'{"allowed": true}')
    policy = make_policy(server.url, mode)
    assert await policy.has_permission(user, "PermNote", "read") is expected


@pytest.mark.parametrize(
    "body",
    [
        b"<html>oops</html>",
        b'{"allowed": "yes"}',
        b'{"allowed": 1}',
        b'{"reason": "no decision"}',
        b"[true]",
        b"",
    ],
)
@pytest.mark.parametrize(("mode", "user", "expected"), FALLBACK_CASES)
async def test_malformed_answer_applies_the_fallback(
    server: DecisionServer,
    make_policy: Callable[..., PolicyPermissionAdapter],
    body: bytes,
    mode: Fallback,
    user: UserContext,
    expected: bool,
) -> None:
    server.respond = lambda payload: Reply(body=body)
    policy = make_policy(server.url, mode)
    assert await policy.has_permission(user, "PermNote", "read") is expected


@pytest.mark.parametrize(("mode", "user", "expected"), FALLBACK_CASES)
async def test_unreachable_service_applies_the_fallback(
    make_policy: Callable[..., PolicyPermissionAdapter],
    mode: Fallback,
    user: UserContext,
    expected: bool,
) -> None:
    policy = make_policy(closed_port_url(), mode)
    assert await policy.has_permission(user, "PermNote", "read") is expected


async def test_evaluate_fallbacks_say_what_happened(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    server.respond = lambda payload: Reply(status=503)
    request = PolicyEvaluateRequest.for_user(BOB, "PermNote", "read")

    denied = await make_policy(server.url, "deny").evaluate(request)
    assert not denied.authorized
    assert denied.decision_source is DecisionSource.EXTERNAL
    assert denied.reason == "policy service answered HTTP 503; fallback: deny"

    allowed = await make_policy(server.url, "allow").evaluate(
        PolicyEvaluateRequest.for_user(ALICE, "PermNote", "delete")
    )
    assert allowed.authorized
    assert allowed.decision_source is DecisionSource.EXTERNAL

    by_roles = await make_policy(server.url, "rbac").evaluate(request)
    assert by_roles.authorized
    assert by_roles.decision_source is DecisionSource.RBAC
    assert by_roles.reason is not None
    assert by_roles.reason.startswith("policy service answered")


async def test_ask_raises_when_the_service_fails(
    server: DecisionServer, make_policy: Callable[..., PolicyPermissionAdapter]
) -> None:
    server.respond = lambda payload: Reply(status=404, body=b'{"allowed": true}')
    policy = make_policy(server.url)
    request = AuthorizationRequest(principal="a", action="PermNote:read", resource="PermNote:*")
    with pytest.raises(PolicyUnavailableError, match="HTTP 404"):
        await policy.ask(request)


# ---------------------------------------------------------------- construction
def test_a_url_is_required(rbac: RbacPermissionAdapter) -> None:
    with pytest.raises(ConfigurationError):
        PolicyPermissionAdapter(PolicySettings(), fallback=rbac)


async def test_aclose_closes_its_own_client(
    server: DecisionServer, rbac: RbacPermissionAdapter
) -> None:
    policy = PolicyPermissionAdapter(PolicySettings(url=server.url), fallback=rbac)
    assert await policy.has_permission(ALICE, "PermNote", "read")
    await policy.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await policy.has_permission(ALICE, "PermNote", "read")

"""Webhook API calls shared by the end-to-end tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


async def create_webhook(client: httpx.AsyncClient, **values: Any) -> dict[str, Any]:
    body = {"name": f"hook-{uuid.uuid4().hex[:8]}", "event": "doc.created", **values}
    response = await client.post("/api/v1/Webhook", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def rotate_secret(client: httpx.AsyncClient, webhook_id: str) -> str:
    response = await client.post(
        "/api/v1/rpc/Webhook/rotate_secret", json={"id": webhook_id, "args": {}}
    )
    assert response.status_code == 200, response.text
    secret: str = response.json()["result"]["secret"]
    return secret


async def webhook_logs(client: httpx.AsyncClient, webhook_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/WebhookLog",
        params={
            "filters": json.dumps([["webhook", "=", webhook_id]]),
            "order_by": "timestamp",
            "limit": 100,
        },
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def disable(client: httpx.AsyncClient, *webhooks: dict[str, Any]) -> None:
    for webhook in webhooks:
        response = await client.put(f"/api/v1/Webhook/{webhook['id']}", json={"enabled": False})
        assert response.status_code == 200, response.text

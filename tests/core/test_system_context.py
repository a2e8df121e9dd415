"""``SystemContext``: elevated operations are explicit and audited."""

from __future__ import annotations

import logging

import pytest

from framework_m_core.system_context import SystemContext


async def test_system_context_yields_the_system_user_and_logs_the_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="framework_m.audit")
    async with SystemContext(reason="nightly sync", tenants=["acme"]) as user:
        assert user.is_system_user
        assert user.id == "system"
        assert user.tenants == ["acme"]
    records = [r for r in caplog.records if r.name == "framework_m.audit"]
    assert [r.getMessage() for r in records] == [
        "system operation started",
        "system operation finished",
    ]
    assert all(getattr(r, "reason", None) == "nightly sync" for r in records)
    assert all(getattr(r, "principal", None) == "system" for r in records)


async def test_failures_are_audited_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="framework_m.audit")
    with pytest.raises(RuntimeError):
        async with SystemContext(reason="repair"):
            raise RuntimeError("boom")
    assert caplog.records[-1].getMessage() == "system operation failed"
    assert "boom" in caplog.records[-1].error  # type: ignore[attr-defined]


def test_a_reason_is_required() -> None:
    with pytest.raises(ValueError, match="reason"):
        SystemContext(reason="  ")

"""ApiKeyStore on SQLite and PostgreSQL: create, verify, tampering, expiry, revocation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from framework_m_core.doctypes import ApiKey
from framework_m_core.exceptions import EntityNotFoundError, ValidationError
from framework_m_standard.adapters.auth.api_keys import ApiKeyStore
from framework_m_standard.adapters.auth.service import AuthComponents
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

ANN, BOB = "user-ann", "user-bob"


async def _stored(db: DatabaseRuntime, key: ApiKey) -> ApiKey | None:
    async with db.unit_of_work() as uow:
        return await db.repositories.get(ApiKey).get(uow.session, key.id)


async def _save(db: DatabaseRuntime, key: ApiKey) -> None:
    async with db.unit_of_work() as uow:
        await db.repositories.get(ApiKey).save(uow.session, key)
        await uow.commit()


async def test_create_shows_the_key_once_and_stores_its_digest(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    raw, key = await auth.api_keys.create(ANN, label="ci", scopes=["Invoice:read"])
    prefix, key_hex, secret = raw.split("_", 2)
    assert (prefix, key_hex) == ("fmk", key.id.hex)
    assert len(secret) >= 43
    stored = await _stored(auth_db, key)
    assert stored is not None
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert secret not in stored.model_dump_json()
    assert (stored.user_id, stored.label, stored.scopes) == (ANN, "ci", ["Invoice:read"])
    assert stored.owner == ANN


async def test_verify_returns_the_key(auth: AuthComponents) -> None:
    raw, key = await auth.api_keys.create(ANN, scopes=["read"])
    found = await auth.api_keys.verify(raw)
    assert found is not None
    assert (found.id, found.user_id, found.scopes) == (key.id, ANN, ["read"])


async def test_tampered_or_malformed_keys_are_refused(auth: AuthComponents) -> None:
    raw, key = await auth.api_keys.create(ANN)
    _, other = await auth.api_keys.create(BOB)
    flipped = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    candidates = [
        flipped,
        raw + "x",
        raw.replace("fmk_", "xyz_", 1),
        raw.replace(key.id.hex, other.id.hex),  # someone else's id with this secret
        f"fmk_{key.id.hex}_",
        f"fmk_{key.id.hex}",
        f"fmk_{'z' * 32}_{raw.rsplit('_', 1)[-1]}",
        "fmk_" + key.id.hex[:-1] + "_secret",
        key.key_hash,
        "",
        "fmk__",
    ]
    for candidate in candidates:
        assert await auth.api_keys.verify(candidate) is None, candidate
    assert await auth.api_keys.verify(raw) is not None


async def test_a_prefix_with_underscores_still_parses(auth_db: DatabaseRuntime) -> None:
    store = ApiKeyStore(
        repositories=auth_db.repositories, unit_of_work=auth_db.unit_of_work, prefix="my_app"
    )
    raw, key = await store.create(ANN)
    assert raw.startswith(f"my_app_{key.id.hex}_")
    found = await store.verify(raw)
    assert found is not None
    assert found.id == key.id


async def test_expired_key_is_refused(auth: AuthComponents, auth_db: DatabaseRuntime) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    raw, key = await auth.api_keys.create(ANN, expires_at=soon)
    assert await auth.api_keys.verify(raw) is not None
    stored = await _stored(auth_db, key)
    assert stored is not None
    stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await _save(auth_db, stored)
    assert await auth.api_keys.verify(raw) is None
    naive_past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    expired_raw, _ = await auth.api_keys.create(ANN, expires_at=naive_past)
    assert await auth.api_keys.verify(expired_raw) is None


async def test_revoke_only_by_the_owner(auth: AuthComponents) -> None:
    raw, key = await auth.api_keys.create(ANN)
    with pytest.raises(EntityNotFoundError):
        await auth.api_keys.revoke(key.id, user_id=BOB)
    assert await auth.api_keys.verify(raw) is not None
    await auth.api_keys.revoke(key.id, user_id=ANN)
    assert await auth.api_keys.verify(raw) is None
    with pytest.raises(EntityNotFoundError):
        await auth.api_keys.revoke(key.id, user_id=ANN)


async def test_last_used_at_is_written_at_most_once_a_minute(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    raw, key = await auth.api_keys.create(ANN)
    assert key.last_used_at is None
    before = datetime.now(UTC)
    assert await auth.api_keys.verify(raw) is not None
    first = await _stored(auth_db, key)
    assert first is not None
    assert first.last_used_at is not None
    assert first.last_used_at >= before - timedelta(seconds=1)
    assert await auth.api_keys.verify(raw) is not None
    second = await _stored(auth_db, key)
    assert second is not None
    assert (second.last_used_at, second.version) == (first.last_used_at, first.version)
    second.last_used_at = datetime.now(UTC) - timedelta(minutes=2)
    await _save(auth_db, second)
    assert await auth.api_keys.verify(raw) is not None
    third = await _stored(auth_db, key)
    assert third is not None
    assert third.last_used_at is not None
    assert third.last_used_at >= before - timedelta(seconds=1)


async def test_list_for_user_is_newest_first(auth: AuthComponents) -> None:
    ids = [(await auth.api_keys.create(ANN, label=str(n)))[1].id for n in range(3)]
    await auth.api_keys.create(BOB)
    assert [k.id for k in await auth.api_keys.list_for_user(ANN)] == ids[::-1]
    assert await auth.api_keys.list_for_user("nobody") == []


async def test_invalid_input_is_a_validation_error(auth: AuthComponents) -> None:
    with pytest.raises(ValidationError):
        await auth.api_keys.create(ANN, label="x" * 141)
    with pytest.raises(ValidationError):
        await auth.api_keys.create(ANN, scopes="read")
    assert await auth.api_keys.list_for_user(ANN) == []

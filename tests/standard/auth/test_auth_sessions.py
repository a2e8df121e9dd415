"""DatabaseSessionStore on SQLite and PostgreSQL: create, find, expire, touch, end."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from framework_m_core.doctypes import UserSession
from framework_m_standard.adapters.auth.service import AuthComponents
from framework_m_standard.adapters.auth.sessions import DatabaseSessionStore
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

ANN, BOB = "user-ann", "user-bob"


async def _stored(db: DatabaseRuntime, session: UserSession) -> UserSession | None:
    async with db.unit_of_work() as uow:
        return await db.repositories.get(UserSession).get(uow.session, session.id)


async def _save(db: DatabaseRuntime, session: UserSession) -> None:
    async with db.unit_of_work() as uow:
        await db.repositories.get(UserSession).save(uow.session, session)
        await uow.commit()


async def test_create_stores_only_a_digest_of_the_token(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    raw, session = await auth.sessions.create(ANN, ip_address="10.0.0.1", user_agent="pytest")
    stored = await _stored(auth_db, session)
    assert stored is not None
    assert len(raw) >= 43
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored.model_dump_json()
    assert stored.user_id == ANN
    assert (stored.ip_address, stored.user_agent) == ("10.0.0.1", "pytest")
    assert len(stored.csrf_token) >= 43
    assert stored.csrf_token != raw
    ttl = (stored.expires_at - datetime.now(UTC)).total_seconds()
    assert 14 * 24 * 3600 - 60 < ttl <= 14 * 24 * 3600
    other_raw, other = await auth.sessions.create(ANN)
    assert other_raw != raw
    assert other.csrf_token != session.csrf_token


async def test_get_finds_the_session_by_its_raw_token(auth: AuthComponents) -> None:
    raw, session = await auth.sessions.create(ANN)
    found = await auth.sessions.get(raw)
    assert found is not None
    assert (found.id, found.user_id, found.csrf_token) == (session.id, ANN, session.csrf_token)
    assert await auth.sessions.get(raw + "x") is None
    assert await auth.sessions.get(session.token_hash) is None  # the digest is not a token
    assert await auth.sessions.get("") is None


async def test_client_strings_too_long_for_their_columns_are_cut(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    _, session = await auth.sessions.create(ANN, ip_address="1" * 100, user_agent="a" * 2000)
    stored = await _stored(auth_db, session)
    assert stored is not None
    assert (stored.ip_address, stored.user_agent) == ("1" * 64, "a" * 512)


async def test_expired_session_is_none_and_deleted(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    raw, session = await auth.sessions.create(ANN)
    live_raw, _ = await auth.sessions.create(ANN)
    session.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await _save(auth_db, session)
    assert [s.id for s in await auth.sessions.list_for_user(ANN)] != []
    assert session.id not in [s.id for s in await auth.sessions.list_for_user(ANN)]
    assert await auth.sessions.get(raw) is None
    assert await _stored(auth_db, session) is None
    assert await auth.sessions.get(live_raw) is not None


async def test_ttl_comes_from_the_store(auth_db: DatabaseRuntime) -> None:
    store = DatabaseSessionStore(
        repositories=auth_db.repositories, unit_of_work=auth_db.unit_of_work, ttl=30
    )
    _, session = await store.create(ANN)
    assert 25 < (session.expires_at - datetime.now(UTC)).total_seconds() <= 30


async def test_last_seen_is_touched_at_most_once_a_minute(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    raw, session = await auth.sessions.create(ANN)
    assert await auth.sessions.get(raw) is not None
    unchanged = await _stored(auth_db, session)
    assert unchanged is not None
    assert unchanged.version == session.version  # seen a moment ago: no write
    unchanged.last_seen_at = datetime.now(UTC) - timedelta(minutes=5)
    await _save(auth_db, unchanged)
    before = datetime.now(UTC)
    assert await auth.sessions.get(raw) is not None
    touched = await _stored(auth_db, session)
    assert touched is not None
    assert touched.last_seen_at is not None
    assert touched.last_seen_at >= before - timedelta(seconds=1)
    assert touched.version == unchanged.version + 1


async def test_delete_ends_one_session_and_checks_the_owner(auth: AuthComponents) -> None:
    raw, session = await auth.sessions.create(ANN)
    assert await auth.sessions.delete(session.id, user_id=BOB) is False
    assert await auth.sessions.get(raw) is not None
    assert await auth.sessions.delete(session.id, user_id=ANN) is True
    assert await auth.sessions.get(raw) is None
    assert await auth.sessions.delete(session.id) is False


async def test_delete_all_for_user_leaves_other_users_alone(auth: AuthComponents) -> None:
    ann_tokens = [(await auth.sessions.create(ANN))[0] for _ in range(3)]
    keep_raw, keep = await auth.sessions.create(ANN)
    bob_raw, _ = await auth.sessions.create(BOB)
    assert await auth.sessions.delete_all_for_user(ANN, except_session_id=keep.id) == 3
    assert [await auth.sessions.get(raw) for raw in ann_tokens] == [None, None, None]
    assert await auth.sessions.get(keep_raw) is not None
    assert await auth.sessions.delete_all_for_user(ANN) == 1
    assert await auth.sessions.get(keep_raw) is None
    assert await auth.sessions.get(bob_raw) is not None
    assert await auth.sessions.delete_all_for_user(ANN) == 0


async def test_list_for_user_is_newest_first_and_live_only(auth: AuthComponents) -> None:
    ids = [(await auth.sessions.create(ANN))[1].id for _ in range(3)]
    await auth.sessions.create(BOB)
    assert [s.id for s in await auth.sessions.list_for_user(ANN)] == ids[::-1]
    assert await auth.sessions.list_for_user("nobody") == []


async def test_purge_expired(auth: AuthComponents, auth_db: DatabaseRuntime) -> None:
    _, old = await auth.sessions.create(ANN)
    live_raw, _ = await auth.sessions.create(BOB)
    old.expires_at = datetime.now(UTC) - timedelta(hours=1)
    await _save(auth_db, old)
    assert await auth.sessions.purge_expired() == 1
    assert await _stored(auth_db, old) is None
    assert await auth.sessions.get(live_raw) is not None
    assert await auth.sessions.purge_expired() == 0

"""PostgreSQL's read lane: a connection goes back to its pool without asyncpg's reset round trip
(advisory unlocks, CLOSE ALL, UNLISTEN, RESET ALL), since a lane read changes no session state;
the server sees the lane's SELECT as the connection's last statement, and the reads stay right."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import pytest

from framework_m_standard.adapters.db.read_lane import AsyncpgReadLane
from framework_m_standard.adapters.db.statements import CompiledQuery


@pytest.fixture
def dsn(pg: str) -> str:
    """The fresh database's URL as asyncpg takes it."""
    return pg.replace("postgresql+asyncpg://", "postgresql://")


def _query(sql: str, keys: tuple[str, ...]) -> CompiledQuery:
    return CompiledQuery(
        sql=sql, names=(), binders=(), results=(None,) * len(keys), keys=keys, fixed={}
    )


async def test_a_lane_connection_is_handed_back_without_a_reset_query(dsn: str) -> None:
    lane = AsyncpgReadLane(dsn, size=1)
    marker = "SELECT pg_backend_pid() AS pid, 'lane read' AS what"
    try:
        rows = await lane.fetch(_query(marker, ("pid", "what")), [])
        pid = rows[0][0]
        again = await lane.fetch(_query(marker, ("pid", "what")), [])
        assert again[0][0] == pid, "the pool of one gave back the same connection"
        observer = await asyncpg.connect(dsn)
        try:
            last = await observer.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid)
        finally:
            await observer.close()
        # With asyncpg's default reset the last statement would be "RESET ALL" and company.
        assert last == marker
    finally:
        await lane.close()


async def test_a_failed_read_leaves_the_connection_usable(dsn: str) -> None:
    lane = AsyncpgReadLane(dsn, size=1)
    try:
        with pytest.raises(asyncpg.PostgresError):
            await lane.fetch(_query("SELECT 1 / 0 AS x", ("x",)), [])
        rows = await lane.fetch(_query("SELECT $1::int + 1 AS x", ("x",)), [41])
        assert rows[0][0] == 42
    finally:
        await lane.close()

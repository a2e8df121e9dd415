"""uuid7 draws its entropy from os.urandom a pool at a time: the ids stay valid, unique and
ordered across refills, and a forked child never reuses the parent's pool."""

from __future__ import annotations

import os
import uuid

import pytest

from framework_m_core.domain import ids
from framework_m_core.domain.ids import uuid7


def test_ids_across_many_refills_are_valid_unique_and_ordered() -> None:
    made = [uuid7() for _ in range(3 * ids._POOL_BYTES // 10 + 7)]  # three refills and more
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    for made_id in made[:: len(made) // 50]:
        assert made_id.version == 7
        assert made_id.variant == uuid.RFC_4122
        assert uuid.UUID(str(made_id)) == made_id
        assert hash(uuid.UUID(str(made_id))) == hash(made_id)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_draws_fresh_entropy() -> None:
    uuid7()  # the parent's pool is filled and partly used
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, as text, to the parent
        os.close(read)
        os.write(write, str(uuid7()).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = uuid.UUID(pipe.read())
    os.waitpid(pid, 0)
    parent = uuid7()
    # Same pool position, same millisecond or not: the random bits differ.
    assert child.int & ((1 << 62) - 1) != parent.int & ((1 << 62) - 1)

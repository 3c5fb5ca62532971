"""Session ids: random version 4 UUIDs as 32 hex digits (docs/history-format.md `id`)."""

from __future__ import annotations

import os
import uuid
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.core import engine
from legdrive_timer.core.engine import random_session_id


@given(st.binary(min_size=16, max_size=16))
def test_an_id_is_uuid4_hex_of_the_random_bytes(random: bytes) -> None:
    with mock.patch.object(os, "urandom", lambda n: random[:n]):
        made = random_session_id()
    assert made == uuid.UUID(bytes=random, version=4).hex


def test_ids_are_version_4_uuids_and_differ() -> None:
    ids = [random_session_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for made in ids:
        parsed = uuid.UUID(hex=made)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == made and len(made) == 32


def test_the_engine_names_its_sessions_so_by_default() -> None:
    from legdrive_timer.core.builtins import builtin_workout
    from legdrive_timer.core.timeline import compile_workout
    from tests.helpers import FakeClock, FakeScheduler

    clock = FakeClock()
    session = engine.SessionEngine(
        compile_workout(builtin_workout("hiit")), clock, FakeScheduler(clock)
    )
    session.start()
    assert session.session_id is not None
    assert uuid.UUID(hex=session.session_id).version == 4

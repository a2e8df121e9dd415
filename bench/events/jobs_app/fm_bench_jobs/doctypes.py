"""``BenchJobNote``: the small document the ``bench.write`` job saves."""

from __future__ import annotations

from pydantic import Field

from framework_m import DocType


class BenchJobNote(DocType):
    title: str = Field(min_length=1, max_length=140)
    n: int = 0

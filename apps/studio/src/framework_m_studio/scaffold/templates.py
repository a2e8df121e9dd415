"""The scaffold's templates: plain files under ``templates/`` filled in with ``string.Template``.

``$$`` writes a literal ``$``; a placeholder without a value is a bug in the scaffold, so it
raises ``KeyError`` rather than leaving ``${name}`` in a generated file.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from string import Template


def render(name: str, values: Mapping[str, str]) -> str:
    """The template ``templates/<name>.tmpl`` with every ``${key}`` replaced."""
    source = files(__package__).joinpath("templates", f"{name}.tmpl").read_text(encoding="utf-8")
    return Template(source).substitute(values)


__all__ = ["render"]

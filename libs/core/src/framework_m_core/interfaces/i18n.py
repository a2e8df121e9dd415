"""I18n port: translate user-facing text into the current locale.

Lookup falls back from the requested locale to the default locale to the source text, so
``translate`` never fails for a missing translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class I18nProtocol(Protocol):
    async def translate(
        self,
        text: str,
        locale: str | None = None,
        *,
        context: str | None = None,
        default: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        """``text`` in ``locale`` (current locale when None), ``{name}`` filled from ``params``.

        ``context`` disambiguates (``"button"``, ``"label"``); ``default`` replaces the
        source text as the last fallback.
        """
        ...

    async def get_locale(self) -> str:
        """The locale of the current request (``"en"``, ``"hi"``, ...)."""
        ...

    async def set_locale(self, locale: str) -> None:
        """Set the locale of the current request or task."""
        ...

    async def get_available_locales(self) -> list[str]:
        """Every locale with at least one translation, plus the default locale."""
        ...

    async def get_translations(self, locale: str) -> dict[str, str]:
        """Every translation of a locale, source text -> translated text (for the Desk)."""
        ...

"""What ``m export`` reads: ``--filter`` options as filter specs, the columns to write, and
every record the actor may read, a page at a time."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from framework_m_standard.cli.site_runner import CommandError

if TYPE_CHECKING:
    from framework_m_core.domain.base_doctype import BaseDocType
    from framework_m_core.interfaces.repository import FilterSpec
    from framework_m_core.services.actor import Actor
    from framework_m_core.services.documents import DocumentService

_SIMPLE_FILTER = re.compile(r"^\s*(_?[A-Za-z][A-Za-z0-9_]*)\s*(!=|>=|<=|=|>|<)(.*)$", re.DOTALL)


def parse_filter_options(options: list[str]) -> list[FilterSpec]:
    """``--filter`` values as filter specs (shape checked here, fields by the service)."""
    from framework_m_standard.adapters.web.query_params import parse_filters

    specs: list[FilterSpec] = []
    for option in options:
        text = option.strip()
        if text.startswith(("[", "{")):
            specs.extend(parse_filters(text))
            continue
        match = _SIMPLE_FILTER.match(text)
        if match is None:
            raise CommandError(
                f"cannot read --filter {option!r}: use FIELD=VALUE (or !=, >, >=, <, <=) "
                'or a JSON list like [["status", "=", "Open"]]'
            )
        field, operator, value = match.groups()
        specs.extend(parse_filters([[field, operator, value.strip()]]))
    return specs


def export_columns(
    documents: DocumentService,
    actor: Actor,
    doctype: type[BaseDocType],
    selected: list[str] | None,
) -> list[str]:
    """The columns of the export: the selected fields, or every field the actor may see."""
    if selected is not None:
        checked = documents.check_fields(actor, doctype, selected)
        return ["_version" if name == "version" else name for name in dict.fromkeys(checked)]
    hidden = documents.hidden_fields(actor, doctype)
    return [info.alias or name for name, info in doctype.model_fields.items() if name not in hidden]


async def started(records: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """``records`` with its first item already fetched (so its errors are raised now)."""
    try:
        first = await anext(records)
    except StopAsyncIteration:
        return _empty()
    return _chain(first, records)


async def _empty() -> AsyncIterator[dict[str, Any]]:
    return
    yield


async def _chain(
    first: dict[str, Any], rest: AsyncIterator[dict[str, Any]]
) -> AsyncIterator[dict[str, Any]]:
    yield first
    async for record in rest:
        yield record


async def all_records(
    documents: DocumentService,
    actor: Actor,
    doctype: type[BaseDocType],
    conditions: list[FilterSpec],
    fields: list[str] | None,
) -> AsyncIterator[dict[str, Any]]:
    """Every record the actor may read, a page at a time, in id (= creation) order."""
    from framework_m_core.interfaces.repository import OrderSpec

    page_size = documents.settings.http.max_page_size
    order = [OrderSpec(field="id")]
    after: str | None = None
    offset = 0
    while True:
        page = await documents.list_records(
            actor,
            doctype,
            filters=conditions,
            order_by=order,
            limit=page_size,
            offset=0 if after is not None else offset,
            after=after,
            fields=fields,
        )
        for record in page.items:
            yield record
        if not page.has_more or not page.items:
            return
        # Keyset pages where the repository has them: later pages cost as little as the first.
        if page.next_cursor is not None:
            after = page.next_cursor
        else:
            offset += len(page.items)


__all__ = ["all_records", "export_columns", "parse_filter_options", "started"]

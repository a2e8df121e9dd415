"""Documents <-> rows."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_standard.adapters.db.mapping import DocTypeMapping

_STANDARD = ("id", "name", "owner", "creation", "modified", "modified_by")
_CHILD = ("parent", "parenttype", "parentfield", "idx")


def to_row(mapping: DocTypeMapping, doc: BaseDocType) -> dict[str, Any]:
    """The column values of one document (children excluded)."""
    row: dict[str, Any] = {name: getattr(doc, name) for name in _STANDARD}
    if mapping.has_version:
        row["_version"] = doc.version
    if mapping.is_child:
        row.update({name: getattr(doc, name) for name in _CHILD})
    json_values = (
        doc.model_dump(mode="json", include=set(mapping.json_fields)) if mapping.json_fields else {}
    )
    for column in mapping.fields:
        if column.is_json:
            row[column.column] = json_values[column.field]
        else:
            value = getattr(doc, column.field)
            row[column.column] = value.value if isinstance(value, enum.Enum) else value
    return row


def from_row(
    mapping: DocTypeMapping,
    row: Mapping[str, Any],
    children: Mapping[str, list[BaseDocType]] | None = None,
) -> BaseDocType:
    """A validated document from a row (and its already-loaded children)."""
    data = {key: value for key, value in row.items() if key != "deleted_at"}
    if not mapping.is_child:
        for key in _CHILD:
            data.pop(key, None)
    if children:
        data.update(children)
    doc = mapping.doctype.model_validate(data)
    doc.mark_persisted()
    return doc

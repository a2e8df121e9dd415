"""Documents <-> rows."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

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


def record_keys(mapping: DocTypeMapping) -> dict[str, str]:
    """Column -> key in a record: what ``model_dump(by_alias=True)`` calls it."""
    fields = mapping.doctype.model_fields
    by_column = {column.column: column.field for column in mapping.fields}
    keys: dict[str, str] = {}
    for column in mapping.table.columns:
        if column.name == "deleted_at":
            continue
        field = by_column.get(column.name, column.name)
        info = fields.get(field)
        alias = None if info is None else (info.serialization_alias or info.alias)
        keys[column.name] = alias or field
    return keys


def is_plain(mapping: DocTypeMapping) -> bool:
    """Whether a record of raw column values serializes exactly as the document would.

    Not so when the DocType (or a child) has its own serializers or computed fields, or keeps
    a Pydantic model in a JSON column (its defaults and serializers apply on the way out).
    """
    doctypes = [mapping.doctype, *(r.mapping.doctype for r in mapping.children.values())]
    for doctype in doctypes:
        decorators = doctype.__pydantic_decorators__
        if decorators.field_serializers or decorators.model_serializers:
            return False
        if decorators.computed_fields:
            return False
    return not any(
        _holds_model(mapping.doctype.model_fields[field].annotation)
        for field in mapping.json_fields
        if field in mapping.doctype.model_fields
    )


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))

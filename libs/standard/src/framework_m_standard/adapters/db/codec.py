"""Documents <-> rows."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_standard.adapters.db.mapping import CHILD_COLUMNS, DocTypeMapping


def row_values(mapping: DocTypeMapping, doc: BaseDocType) -> tuple[Any, ...]:
    """The column values of one document (children excluded), in ``mapping.row_columns``
    order: what COPY takes as it is."""
    # One C call for the plain values: getattr per field, through a dict comprehension, was
    # most of a bulk save's row building.
    values = mapping.values_of(doc)
    if not mapping.enum_positions and not mapping.json_positions:
        return values
    listed = list(values)
    for position in mapping.enum_positions:
        value = listed[position]
        if isinstance(value, enum.Enum):
            listed[position] = value.value
    if mapping.json_positions:
        dumped = doc.model_dump(mode="json", include=set(mapping.json_fields))
        for position, name in mapping.json_positions:
            listed[position] = dumped[name]
    return tuple(listed)


def to_row(mapping: DocTypeMapping, doc: BaseDocType) -> dict[str, Any]:
    """The column values of one document (children excluded), by column."""
    return dict(zip(mapping.row_columns, row_values(mapping, doc), strict=True))


def from_row(
    mapping: DocTypeMapping,
    row: Mapping[str, Any],
    children: Mapping[str, list[BaseDocType]] | None = None,
) -> BaseDocType:
    """A validated document from a row (and its already-loaded children)."""
    data = {key: value for key, value in row.items() if key != "deleted_at"}
    if not mapping.is_child:
        for key in CHILD_COLUMNS:
            data.pop(key, None)
    if children:
        data.update(children)
    doc = mapping.doctype.model_validate(data)
    doc.mark_persisted()
    doc.mark_clean()
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

"""Request and response models generated per DocType, for validation and the OpenAPI document.

``<DocType>Create`` holds what a client may set; ``<DocType>Update`` the same, all optional,
plus ``_version``; ``<DocType>`` (the read model) every visible field, none required because
``fields=`` may select some; ``<DocType>List`` a page of them. Sensitive fields appear in none.
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType
from framework_m_core.services.document_input import READ_ONLY_FIELDS


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Output(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


@dataclass(frozen=True)
class DocTypeSchemas:
    create: type[BaseModel]
    update: type[BaseModel]
    read: type[BaseModel]
    page: type[BaseModel]
    bulk_update: type[BaseModel]


class FilterQuery(_Input):
    filters: list[list[Any]] | dict[str, Any] | None = Field(
        default=None, description='[["field", "operator", value], ...] or {"field": value}'
    )
    ids: list[str] | None = None


@cache
def schemas_for(doctype: type[BaseDocType]) -> DocTypeSchemas:
    name = doctype.get_doctype_name()
    create = _model(f"{name}Create", doctype, _Input, mode="create")
    update = _model(f"{name}Update", doctype, _Input, mode="update")
    read = _model(name, doctype, _Output, mode="read")
    page = create_model(
        f"{name}List",
        __base__=_Output,
        data=(list[read], ...),  # type: ignore[valid-type]
        total=(int | None, None),
        limit=(int, ...),
        offset=(int, ...),
        has_more=(bool, ...),
        next_cursor=(str | None, None),
    )
    bulk_update = create_model(
        f"{name}BulkUpdate",
        __base__=FilterQuery,
        data=(update, ...),
    )
    return DocTypeSchemas(
        create=create, update=update, read=read, page=page, bulk_update=bulk_update
    )


def _model(
    model_name: str, doctype: type[BaseDocType], base: type[BaseModel], *, mode: str
) -> type[BaseModel]:
    meta = doctype.get_meta()
    fields: dict[str, Any] = {}
    for field_name, info in doctype.model_fields.items():
        if field_name in meta.sensitive_fields:
            continue
        if (
            mode != "read"
            and field_name in READ_ONLY_FIELDS
            and not (mode == "update" and field_name in ("version", "docstatus"))
        ):
            continue
        if mode == "create" and field_name == "docstatus":
            continue
        annotation = _annotation(info.annotation, mode)
        kwargs: dict[str, Any] = {
            "alias": info.alias,
            "title": info.title,
            "description": info.description,
        }
        if mode == "create":
            if info.default_factory is not None:
                kwargs["default_factory"] = info.default_factory
            else:
                kwargs["default"] = ... if info.is_required() else info.default
            fields[field_name] = (annotation, Field(**kwargs, **_constraints(info)))
        else:
            kwargs["default"] = None
            fields[field_name] = (annotation | None, Field(**kwargs))
    return create_model(model_name, __base__=base, **fields)


def _constraints(info: FieldInfo) -> dict[str, Any]:
    """Length, range and pattern constraints a create model repeats from the DocType."""
    found: dict[str, Any] = {}
    for item in info.metadata:
        for key in ("max_length", "min_length", "pattern", "gt", "ge", "lt", "le"):
            value = getattr(item, key, None)
            if value is not None:
                found[key] = value
    return found


def _annotation(annotation: Any, mode: str) -> Any:
    """Child DocTypes become their own generated models; Decimal travels as a string."""
    if isinstance(annotation, type):
        if issubclass(annotation, BaseChildDocType):
            return _child_model(annotation, mode)
        if issubclass(annotation, Decimal) and mode == "read":
            return str
        return annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return typing.Annotated[(_annotation(args[0], mode), *args[1:])]
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_annotation(a, mode) for a in args))
    if origin is list and args:
        return list[_annotation(args[0], mode)]  # type: ignore[misc]
    return annotation


@cache
def _child_model(child: type[BaseChildDocType], mode: str) -> type[BaseModel]:
    suffix = {"create": "Input", "update": "Input", "read": ""}[mode]
    base: type[BaseModel] = _Output if mode == "read" else _Input
    name = f"{child.get_doctype_name()}{suffix}"
    fields: dict[str, Any] = {}
    for field_name, info in child.model_fields.items():
        if field_name in child.get_meta().sensitive_fields:
            continue
        annotation = _annotation(info.annotation, mode)
        required = mode != "read" and info.is_required() and field_name not in READ_ONLY_FIELDS
        fields[field_name] = (
            annotation if required else annotation | None,
            Field(
                default=... if required else None,
                alias=info.alias,
                title=info.title,
                description=info.description,
                **(_constraints(info) if mode != "read" else {}),
            ),
        )
    return create_model(name, __base__=base, **fields)

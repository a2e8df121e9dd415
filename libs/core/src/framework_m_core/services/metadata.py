"""What a client needs to render a DocType: JSON Schema, layout, labels, help, widgets, rights.

The shape is the Desk's contract (``frontend/src/api/types.ts``, docs/api.md "Metadata").
"""

from __future__ import annotations

from typing import Any

from framework_m_core.domain.base_doctype import CHILD_FIELDS, BaseDocType
from framework_m_core.interfaces.permission import PERMISSION_ACTIONS
from framework_m_core.services.actor import Actor
from framework_m_core.services.documents import DocumentService
from framework_m_core.services.field_types import FieldKind, field_kind

READ_ONLY_FIELDS = frozenset(
    {"id", "owner", "creation", "modified", "modified_by", "_version", "docstatus"}
)
"""Set by the server (docstatus through submit and cancel), never typed into a form."""
HIDDEN_FIELDS = frozenset({"id", "_version"})
"""Kept out of forms; a child row's ``parent``, ``parenttype``, ``parentfield``, ``idx`` too."""
MAX_LIST_FIELDS = 5
"""How many default list columns a DocType without ``Meta.list_fields`` gets."""
CORE_MODULE = "core"
"""The module of the DocTypes the framework itself declares (users, jobs, webhooks)."""

# Never default list columns: nothing to show in a cell.
_NOT_COLUMNS = frozenset({"table", "json", "password"})


def field_label(name: str, title: str | None) -> str:
    """``Field(title=...)`` or the field name in words: ``customer_name`` -> ``Customer Name``."""
    return title or name.replace("_", " ").strip().title()


def doctype_module(doctype: type[BaseDocType]) -> str:
    """The app (top-level package) that declares the DocType; ``core`` for the framework's."""
    package = doctype.__module__.split(".", 1)[0]
    return CORE_MODULE if package.startswith("framework_m") else package


def list_fields(doctype: type[BaseDocType], visible: dict[str, FieldKind]) -> list[str]:
    """Default list columns: ``Meta.list_fields``, else the title, select and required fields."""
    meta = doctype.get_meta()
    if meta.list_fields:
        return [name for name in meta.list_fields if name in visible]
    chosen: list[str] = []
    if meta.title_field in visible:
        chosen.append(meta.title_field)
    for name, kind in visible.items():
        if len(chosen) >= MAX_LIST_FIELDS:
            break
        if name in chosen or name in READ_ONLY_FIELDS or kind.fieldtype in _NOT_COLUMNS:
            continue
        info = doctype.model_fields.get("version" if name == "_version" else name)
        if kind.fieldtype == "select" or (info is not None and info.is_required()):
            chosen.append(name)
    return chosen


def _visible_kinds(doctype: type[BaseDocType], hidden: frozenset[str]) -> dict[str, FieldKind]:
    """Alias -> widget of every field the actor may see, in declaration order."""
    return {
        info.alias or name: field_kind(name, info)
        for name, info in doctype.model_fields.items()
        if name not in hidden
    }


def _describe_fields(
    documents: DocumentService,
    actor: Actor,
    doctype: type[BaseDocType],
    *,
    properties: dict[str, Any],
    in_list: list[str],
) -> list[dict[str, Any]]:
    hidden = documents.hidden_fields(actor, doctype)
    is_child = doctype.get_meta().is_child_table
    fields = []
    for name, info in doctype.model_fields.items():
        if name in hidden:
            continue
        alias = info.alias or name
        kind = field_kind(name, info)
        system_child_field = is_child and name in CHILD_FIELDS
        child = None
        if kind.child is not None:
            child = {
                "doctype": kind.child.get_doctype_name(),
                "fields": _describe_child(documents, actor, kind.child),
            }
        fields.append(
            {
                "name": alias,
                "label": field_label(name, info.title),
                "description": info.description,
                "required": info.is_required(),
                "read_only": alias in READ_ONLY_FIELDS or system_child_field,
                "hidden": alias in HIDDEN_FIELDS or system_child_field,
                "in_list_view": alias in in_list,
                "fieldtype": kind.fieldtype,
                "options": None if kind.options is None else list(kind.options),
                "link_doctype": kind.link_doctype,
                "child": child,
                "schema": properties.get(alias, {}),
            }
        )
    return fields


def _describe_child(
    documents: DocumentService, actor: Actor, child: type[BaseDocType]
) -> list[dict[str, Any]]:
    """A child table's columns, described like the parent's fields (its own hidden fields out)."""
    properties = child.model_json_schema(by_alias=True, mode="validation").get("properties", {})
    hidden = documents.hidden_fields(actor, child)
    columns = list_fields(child, _visible_kinds(child, hidden))
    return _describe_fields(documents, actor, child, properties=properties, in_list=columns)


async def describe_doctype(
    documents: DocumentService, actor: Actor, doctype: type[BaseDocType]
) -> dict[str, Any]:
    """The metadata document of ``GET /api/meta/{doctype}`` for this actor."""
    meta = doctype.get_meta()
    hidden = documents.hidden_fields(actor, doctype)
    schema = doctype.model_json_schema(by_alias=True, mode="validation")
    properties: dict[str, Any] = schema.get("properties", {})
    for name in hidden:
        properties.pop(name, None)
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name not in hidden]
    columns = list_fields(doctype, _visible_kinds(doctype, hidden))
    fields = _describe_fields(documents, actor, doctype, properties=properties, in_list=columns)
    user = actor.permission_user
    permissions = {
        action: await documents.permission.has_permission(user, meta.name, action)  # type: ignore[arg-type]
        for action in sorted(PERMISSION_ACTIONS)
    }
    return {
        "doctype": meta.name,
        "label": meta.label,
        "description": meta.description,
        "module": doctype_module(doctype),
        "naming": meta.naming,
        "title_field": meta.title_field,
        "search_fields": list(meta.search_fields),
        "is_submittable": meta.is_submittable,
        "is_child_table": meta.is_child_table,
        "schema": schema,
        "fields": fields,
        "layout": meta.layout,
        "list_fields": columns,
        "permissions": permissions,
    }

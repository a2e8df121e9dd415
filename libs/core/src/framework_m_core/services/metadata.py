"""What a client needs to render a DocType: JSON Schema, layout, labels, help, the user's rights."""

from __future__ import annotations

from typing import Any

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.interfaces.permission import PERMISSION_ACTIONS
from framework_m_core.services.actor import Actor
from framework_m_core.services.documents import DocumentService


def field_label(name: str, title: str | None) -> str:
    """``Field(title=...)`` or the field name in words: ``customer_name`` -> ``Customer Name``."""
    return title or name.replace("_", " ").strip().title()


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
    fields = []
    for name, info in doctype.model_fields.items():
        if name in hidden:
            continue
        alias = info.alias or name
        fields.append(
            {
                "name": alias,
                "label": field_label(name, info.title),
                "description": info.description,
                "required": info.is_required(),
                "read_only": alias
                in ("id", "owner", "creation", "modified", "modified_by", "_version"),
                "schema": properties.get(alias, {}),
            }
        )
    user = actor.permission_user
    permissions = {
        action: await documents.permission.has_permission(user, meta.name, action)  # type: ignore[arg-type]
        for action in sorted(PERMISSION_ACTIONS)
    }
    return {
        "doctype": meta.name,
        "label": meta.label,
        "description": meta.description,
        "naming": meta.naming,
        "title_field": meta.title_field,
        "search_fields": list(meta.search_fields),
        "is_submittable": meta.is_submittable,
        "is_child_table": meta.is_child_table,
        "schema": schema,
        "fields": fields,
        "layout": meta.layout,
        "permissions": permissions,
    }

"""``BaseController``: business logic around a document's lifecycle.

The repository calls the hooks inside the document's transaction, in this order:

insert: validate -> before_insert -> before_save -> INSERT (+ children) -> after_insert -> after_save
update: validate -> before_save -> UPDATE (+ children) -> after_save
delete: before_delete -> DELETE -> after_delete
submit / cancel: before_submit|before_cancel -> UPDATE -> on_submit|on_cancel

An exception raised by any hook rolls back the whole unit of work.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from framework_m_core.domain.base_doctype import BaseDocType

T = TypeVar("T", bound=BaseDocType)

HookName = Literal[
    "validate",
    "before_insert",
    "after_insert",
    "before_save",
    "after_save",
    "before_delete",
    "after_delete",
    "before_submit",
    "on_submit",
    "before_cancel",
    "on_cancel",
]


@dataclass(slots=True)
class HookContext:
    """What a hook may use: the open session of its unit of work and who is acting."""

    session: Any
    user: Any = None
    is_new: bool = False
    flags: dict[str, Any] = field(default_factory=dict)


class BaseController(Generic[T]):
    """Subclass as ``class InvoiceController(BaseController[Invoice])`` and override hooks."""

    doctype: ClassVar[type[BaseDocType] | None] = None

    def __init__(self, doc: T) -> None:
        self.doc = doc

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("doctype") is None:
            cls.doctype = _doctype_from_generic(cls)

    async def validate(self, context: HookContext | None = None) -> None:
        """Check the document; raise ``ValidationError`` to reject it."""

    async def before_insert(self, context: HookContext | None = None) -> None:
        """Before the first write of a new document."""

    async def after_insert(self, context: HookContext | None = None) -> None:
        """After a new document's row (and children) are written."""

    async def before_save(self, context: HookContext | None = None) -> None:
        """Before every write, new or existing."""

    async def after_save(self, context: HookContext | None = None) -> None:
        """After every write, new or existing."""

    async def before_delete(self, context: HookContext | None = None) -> None:
        """Before the document is deleted; raise to keep it."""

    async def after_delete(self, context: HookContext | None = None) -> None:
        """After the document is deleted."""

    async def before_submit(self, context: HookContext | None = None) -> None:
        """Before a draft becomes submitted."""

    async def on_submit(self, context: HookContext | None = None) -> None:
        """After the document is submitted."""

    async def before_cancel(self, context: HookContext | None = None) -> None:
        """Before a submitted document is cancelled."""

    async def on_cancel(self, context: HookContext | None = None) -> None:
        """After the document is cancelled."""


def _doctype_from_generic(cls: type) -> type[BaseDocType] | None:
    for base in getattr(cls, "__orig_bases__", ()):
        origin = typing.get_origin(base)
        if isinstance(origin, type) and issubclass(origin, BaseController):
            for arg in typing.get_args(base):
                if isinstance(arg, type) and issubclass(arg, BaseDocType):
                    return arg
    return None

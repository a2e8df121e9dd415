"""Link fields: a UUID that points at another DocType and becomes a foreign key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from framework_m_core.domain.base_doctype import BaseDocType

OnDelete = Literal["RESTRICT", "CASCADE", "SET NULL"]


@dataclass(frozen=True, slots=True)
class Link:
    """Mark a UUID field as a link: ``customer: Annotated[UUID, Link(Customer)]``.

    ``target`` is the DocType class, or its name when the class is defined later.
    """

    target: type[BaseDocType] | str
    on_delete: OnDelete = "RESTRICT"

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.get_doctype_name()

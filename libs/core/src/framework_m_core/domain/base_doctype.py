"""``BaseDocType``: the Pydantic model every DocType extends, with the standard fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from framework_m_core.domain.ids import uuid7
from framework_m_core.domain.meta import META_ATTRIBUTES, DocTypeMeta, snake_case
from framework_m_core.exceptions import InvalidDocTypeError

STANDARD_FIELDS = frozenset(
    {"id", "name", "owner", "creation", "modified", "modified_by", "version"}
)
CHILD_FIELDS = frozenset({"parent", "parenttype", "parentfield", "idx"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class BaseDocType(BaseModel):
    """A document type. Subclass it, declare fields, and describe it in a nested ``Meta``.

    ``id`` is a UUID v7 primary key; ``name`` is the human-readable unique name given by the
    naming rule; ``_version`` counts saves for optimistic concurrency.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, extra="forbid")

    id: UUID = Field(default_factory=uuid7)
    name: str | None = Field(default=None, max_length=140)
    owner: str | None = None
    creation: datetime = Field(default_factory=utcnow)
    modified: datetime = Field(default_factory=utcnow)
    modified_by: str | None = None
    version: int = Field(default=0, alias="_version")

    __doctype_meta__: ClassVar[DocTypeMeta]

    class Meta:
        pass

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__doctype_meta__ = _resolve_meta(cls)

    @classmethod
    def get_meta(cls) -> DocTypeMeta:
        return cls.__doctype_meta__

    @classmethod
    def get_doctype_name(cls) -> str:
        return cls.__doctype_meta__.name

    @classmethod
    def get_permissions(cls) -> dict[str, list[str]]:
        return cls.__doctype_meta__.permissions

    @classmethod
    def get_layout(cls) -> dict[str, Any]:
        return cls.__doctype_meta__.layout

    def is_new(self) -> bool:
        """True until the document has been saved or was loaded from storage."""
        private = self.__pydantic_private__
        return private is None or not private.get(_PERSISTED, False)

    def mark_persisted(self) -> None:
        """Called by repositories after a load or a successful write."""
        # The flag lives in pydantic's private storage, which copies carry along, but is not
        # declared as a PrivateAttr: pydantic would then deep-copy its default into every
        # document it builds (~15% of building one from a row), saved or not.
        private = self.__pydantic_private__
        if private is None:
            object.__setattr__(self, "__pydantic_private__", {_PERSISTED: True})
        else:
            private[_PERSISTED] = True

    def mark_clean(self) -> None:
        """Forget which fields were assigned: the stored row holds this document's values now.
        Repositories call it after a load and after a write, so that ``model_fields_set`` names
        the fields assigned since, which is what the next update writes."""
        object.__setattr__(self, "__pydantic_fields_set__", set())


_PERSISTED = "_persisted"


def _resolve_meta(cls: type[BaseDocType]) -> DocTypeMeta:
    values: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        own_meta = klass.__dict__.get("Meta")
        if own_meta is None:
            continue
        for key, value in vars(own_meta).items():
            if key.startswith("__"):
                continue
            if key not in META_ATTRIBUTES:
                raise InvalidDocTypeError(
                    f"{cls.__name__}.Meta has unknown option {key!r}", doctype=cls.__name__
                )
            # The name and table of a class are its own; never inherit a parent's.
            if key in {"table_name", "label"} and klass is not cls:
                continue
            values[key] = value
    values.setdefault("table_name", snake_case(cls.__name__))
    values.setdefault("label", _label(cls.__name__))
    for key in ("indexes", "unique_together"):
        if key in values:
            values[key] = tuple(
                tuple(ix) if not isinstance(ix, str) else (ix,) for ix in values[key]
            )
    try:
        return DocTypeMeta(name=cls.__name__, **values)
    except ValueError as exc:
        raise InvalidDocTypeError(f"{cls.__name__}.Meta is invalid: {exc}") from exc


def _label(name: str) -> str:
    return snake_case(name).replace("_", " ").title()


class BaseChildDocType(BaseDocType):
    """A row of a child table: saved and loaded with its parent, never on its own."""

    parent: UUID | None = None
    parenttype: str | None = None
    parentfield: str | None = None
    idx: int = 0

    class Meta:
        is_child_table = True
        api_resource = False

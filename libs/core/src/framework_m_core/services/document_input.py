"""Client input for documents: which fields a client may send, and validation into a document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from framework_m_core.domain.base_doctype import STANDARD_FIELDS, BaseDocType
from framework_m_core.domain.storable import unstorable
from framework_m_core.exceptions import ValidationError

T = TypeVar("T", bound=BaseDocType)

# Set by the engine, never by a client; ignored in updates, refused in creates.
READ_ONLY_FIELDS = frozenset({*STANDARD_FIELDS, "_version", "docstatus"}) - {"name"}


def validation_error(
    exc: PydanticValidationError, message: str = "Invalid document"
) -> ValidationError:
    """Our ValidationError with pydantic's per-field errors as JSON-safe details."""
    errors = [
        {"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    return ValidationError(message, errors=errors)


def client_values(
    doctype: type[BaseDocType], data: Any, *, hidden: frozenset[str], creating: bool
) -> dict[str, Any]:
    """The client's field values, minus engine-owned ones; unknown or hidden fields refused."""
    if not isinstance(data, Mapping):
        raise ValidationError("The request body must be a JSON object")
    known = set(doctype.model_fields) | {"_version"}
    unknown = sorted(str(k) for k in data if k not in known or k in hidden)
    if unknown:
        raise ValidationError(
            f"Unknown fields for {doctype.get_doctype_name()}: {', '.join(unknown)}",
            errors=[
                {"loc": [k], "msg": "Unknown field", "type": "extra_forbidden"} for k in unknown
            ],
        )
    if creating:
        engine_owned = sorted(k for k in data if k in READ_ONLY_FIELDS and k != "docstatus")
        if engine_owned:
            raise ValidationError(
                f"Fields set by the server cannot be given: {', '.join(engine_owned)}",
                errors=[
                    {"loc": [k], "msg": "Read-only field", "type": "read_only"}
                    for k in engine_owned
                ],
            )
        if data.get("docstatus", 0) not in (0, None):
            raise ValidationError("A new document starts as a draft")
    return {k: v for k, v in data.items() if k not in READ_ONLY_FIELDS}


MAX_VERSION = 2**31 - 1
"""``_version`` is a 32-bit column."""


def version_of(data: Any) -> int | None:
    """The ``_version`` a client read, if it sent one."""
    if not isinstance(data, Mapping) or data.get("_version") is None:
        return None
    version = data["_version"]
    if isinstance(version, bool) or not isinstance(version, int) or unstorable(version):
        raise ValidationError(
            "_version must be a 64-bit integer",
            errors=[{"loc": ["_version"], "msg": "Must be an integer", "type": "int_type"}],
        )
    if not 0 <= version <= MAX_VERSION:
        # No stored document has such a version; the database could not even compare it.
        raise ValidationError(
            f"_version must be between 0 and {MAX_VERSION}",
            errors=[{"loc": ["_version"], "msg": "Out of range", "type": "int_range"}],
        )
    return version


def build_document(doctype: type[T], values: Mapping[str, Any]) -> T:
    """A validated document whose every value the databases can store; ``ValidationError`` if not."""
    try:
        entity = doctype.model_validate(dict(values))
    except PydanticValidationError as exc:
        raise validation_error(exc) from exc
    # After validation, so that values coerced from strings are checked as stored.
    _refuse_unstorable(entity.model_dump(by_alias=True))
    return entity


def _refuse_unstorable(dumped: Mapping[str, Any]) -> None:
    """``ValidationError`` naming every value the databases cannot store."""
    refused = {key: reason for key, value in dumped.items() if (reason := unstorable(value))}
    if refused:
        raise ValidationError(
            "Invalid document",
            errors=[
                {"loc": [key], "msg": f"Value {reason}", "type": "unstorable_value"}
                for key, reason in refused.items()
            ],
        )


def apply_values(entity: T, values: Mapping[str, Any]) -> T | None:
    """``entity`` with the client's ``values`` validated into it field by field, or None when
    its DocType needs a whole-document validation (``build_document`` of the merged values).

    Field by field is what a whole validation would do for a DocType whose fields validate
    alone: no model or field validators (those may look at other fields), no
    ``model_post_init``, no frozen or oddly aliased fields. It spares dumping the stored
    document and validating every unchanged field again. ``entity`` is changed in place;
    after an error it must not be used.
    """
    names = _assignable(type(entity))
    if names is None:
        return None
    validator = type(entity).__pydantic_validator__
    changed: list[str] = []
    try:
        for key, value in values.items():
            name = names.get(key)
            if name is None:
                return None
            validator.validate_assignment(entity, name, value)
            changed.append(name)
    except PydanticValidationError as exc:
        raise validation_error(exc) from exc
    if changed:
        _refuse_unstorable(entity.model_dump(by_alias=True, include=set(changed)))
    return entity


_ASSIGNABLE: dict[type[BaseDocType], dict[str, str] | None] = {}


def _assignable(doctype: type[BaseDocType]) -> dict[str, str] | None:
    """Input key (name or alias) -> field name, if the DocType's fields validate alone."""
    if doctype not in _ASSIGNABLE:
        _ASSIGNABLE[doctype] = _field_keys(doctype)
    return _ASSIGNABLE[doctype]


def _field_keys(doctype: type[BaseDocType]) -> dict[str, str] | None:
    decorators = doctype.__pydantic_decorators__
    if (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
        or doctype.model_config.get("frozen")
    ):
        return None
    for klass in doctype.__mro__:
        post_init = vars(klass).get("model_post_init")
        # Pydantic's own initialiser of private attributes is no hook of the DocType's.
        if (
            post_init is not None
            and klass is not BaseModel
            and getattr(post_init, "__name__", "") != "init_private_attributes"
        ):
            return None
    keys: dict[str, str] = {}
    for name, info in doctype.model_fields.items():
        if info.frozen or not isinstance(info.validation_alias, str | None):
            return None
        keys[name] = name
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str):
                keys[alias] = name
    return keys

"""Webhook conditions: small expressions over a document's fields, evaluated without ``eval``.

``status == "Open" and grand_total > 1000``, ``priority in ("High", "Urgent")``,
``len(items) > 2``. Names are the fields of the event's document (a field the document does
not carry is ``None``); the only functions are a few pure builtins. Attribute access,
comprehensions, lambdas and assignment are refused when the webhook is saved, so a bad
expression is a validation error there, never a failure in the listener. ``simpleeval``
evaluates, with its limits on powers and string sizes.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from simpleeval import (  # type: ignore[import-untyped]
    DEFAULT_OPERATORS,
    EvalWithCompoundTypes,
    InvalidExpression,
)

MAX_LENGTH = 2000

FUNCTIONS: dict[str, Any] = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "lower": lambda value: str(value).lower(),
    "upper": lambda value: str(value).upper(),
}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
)


class ConditionError(ValueError):
    """A condition that cannot be accepted (on save) or evaluated (at delivery)."""


def check_condition(expression: str) -> ast.Expression:
    """The parsed expression, or ``ConditionError`` saying what is wrong with it."""
    if len(expression) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"invalid syntax: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ConditionError(f"{type(node).__name__} is not allowed in a condition")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ConditionError(f"name {node.id!r} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise ConditionError(f"only these functions may be called: {allowed}")
            if node.keywords:
                raise ConditionError("keyword arguments are not allowed")
    return tree


class _Names(dict[str, Any]):
    """The document's fields; a field it does not carry is ``None`` (sparse delete events)."""

    def __missing__(self, key: str) -> Any:
        return None


def evaluate(expression: str, document: Mapping[str, Any]) -> bool:
    """Whether the condition holds for the document; ``ConditionError`` if it cannot say."""
    tree = check_condition(expression)
    names = _Names({"True": True, "False": False, "None": None})
    names.update((k, v) for k, v in document.items() if not k.startswith("_"))
    evaluator = EvalWithCompoundTypes(
        operators=DEFAULT_OPERATORS.copy(), functions=dict(FUNCTIONS), names=names
    )
    try:
        return bool(evaluator.eval(expression.strip(), previously_parsed=tree.body))
    except (InvalidExpression, ArithmeticError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise ConditionError(f"{type(exc).__name__}: {exc}") from None

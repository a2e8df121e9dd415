"""Webhook conditions: evaluated over the document's fields without eval; bad ones refused."""

from __future__ import annotations

import pytest

from framework_m_standard.adapters.webhooks.condition import (
    ConditionError,
    check_condition,
    evaluate,
)

DOC = {"status": "Open", "total": 150.5, "priority": "High", "items": [1, 2, 3], "_secret": "x"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('status == "Open" and total > 100', True),
        ('status == "Closed" or total < 100', False),
        ('priority in ("High", "Urgent")', True),
        ("len(items) == 3 and items[0] == 1", True),
        ("missing_field is None", True),
        ('lower(status) == "open"', True),
        ("not (total > 1000)", True),
        ("total * 2 > 300 if status else False", True),
    ],
)
def test_conditions_over_document_fields(expression: str, expected: bool) -> None:
    assert evaluate(expression, DOC) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "status.__class__",
        "().__class__.__bases__[0]",
        "[x for x in items]",
        "lambda: 1",
        '__import__("os")',
        'open("/etc/passwd")',
        "x := 1",
        "2 ** 100000",
        "status = 1",
        "(",
        "_secret",
        "len(items, key=1)",
        "",
    ],
)
def test_unsafe_or_invalid_conditions_are_refused(expression: str) -> None:
    with pytest.raises(ConditionError):
        check_condition(expression)


def test_private_fields_are_not_visible() -> None:
    with pytest.raises(ConditionError):
        evaluate("_secret", DOC)


def test_runtime_failures_raise_condition_error() -> None:
    with pytest.raises(ConditionError):
        evaluate("total / 0 > 1", DOC)
    with pytest.raises(ConditionError):
        evaluate('status * 100000000 == "x"', DOC)
    with pytest.raises(ConditionError):
        evaluate("items[10] == 1", DOC)


def test_overlong_condition_is_refused() -> None:
    with pytest.raises(ConditionError, match="longer"):
        check_condition("total > 1 and " * 200 + "True")

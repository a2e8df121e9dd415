"""Topics and patterns, checked the way NATS checks subjects (shared by every bus adapter).

A topic is ``.``-separated non-empty tokens; in a pattern ``*`` matches exactly one token and
``>``, allowed only as the last token, matches one or more remaining tokens.
"""

from __future__ import annotations

ONE_TOKEN = "*"
REST = ">"


def split_topic(subject: str, *, wildcards: bool) -> tuple[str, ...]:
    """The tokens of a topic (``wildcards=False``) or pattern; ``ValueError`` if malformed."""
    tokens = tuple(subject.split("."))
    if not subject or any(not token for token in tokens):
        raise ValueError(f"{subject!r} is not a topic: use non-empty tokens separated by '.'")
    for index, token in enumerate(tokens):
        if token in (ONE_TOKEN, REST):
            if not wildcards:
                raise ValueError(f"{subject!r}: wildcards are only allowed in subscribe_pattern")
            if token == REST and index != len(tokens) - 1:
                raise ValueError(f"{subject!r}: '>' may only be the last token")
        elif ONE_TOKEN in token or REST in token or any(c.isspace() for c in token):
            raise ValueError(f"{subject!r}: '*' and '>' must be whole tokens, no whitespace")
    return tokens


def matches(pattern: tuple[str, ...], topic: tuple[str, ...]) -> bool:
    """Whether a split topic matches a split pattern."""
    for index, token in enumerate(pattern):
        if token == REST:
            return len(topic) > index
        if index >= len(topic) or (token != ONE_TOKEN and token != topic[index]):
            return False
    return len(pattern) == len(topic)

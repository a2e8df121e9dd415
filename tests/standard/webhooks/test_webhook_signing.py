"""Signing and verifying webhook deliveries: HMAC-SHA256 over ``t.body``, replay tolerance."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

from framework_m_standard.adapters.webhooks.signing import sign, signature, verify

SECRET = "whsec_test-secret-0123456789"
BODY = '{"event":"doc.created","data":{"title":"caf\u00e9"}}'


def test_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    header = sign(SECRET, BODY, timestamp=1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY.encode(), hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert signature(SECRET, 1_700_000_000, BODY.encode()) == expected


def test_verify_accepts_fresh_signature_of_the_same_body() -> None:
    header = sign(SECRET, BODY)
    assert verify(SECRET, header, BODY)
    assert verify(SECRET, header, BODY.encode())


def test_verify_refuses_other_body_secret_or_tampered_digest() -> None:
    header = sign(SECRET, BODY)
    assert not verify(SECRET, header, BODY + " ")
    assert not verify("another-secret-value", header, BODY)
    t, v1 = header.split(",")
    flipped = v1[:-1] + ("0" if v1[-1] != "0" else "1")
    assert not verify(SECRET, f"{t},{flipped}", BODY)


def test_verify_refuses_replays_outside_the_tolerance() -> None:
    old = int(time.time()) - 600
    header = sign(SECRET, BODY, timestamp=old)
    assert not verify(SECRET, header, BODY, tolerance=300)
    assert verify(SECRET, header, BODY, tolerance=900)
    future = sign(SECRET, BODY, timestamp=int(time.time()) + 600)
    assert not verify(SECRET, future, BODY, tolerance=300)
    assert verify(SECRET, header, BODY, tolerance=10, now=old + 5)


def test_verify_accepts_any_of_several_v1_during_rotation() -> None:
    t = int(time.time())
    good = signature(SECRET, t, BODY)
    other = signature("old-secret-value-xyz", t, BODY)
    assert verify(SECRET, f"t={t},v1={other},v1={good}", BODY)


def test_malformed_headers_are_simply_invalid() -> None:
    for header in [
        None,
        "",
        "garbage",
        "t=abc,v1=00",
        "v1=00",
        f"t={int(time.time())}",
        "t=1,v1=é",
    ]:
        assert not verify(SECRET, header, BODY)


def test_the_receiver_recipe_in_the_docs_verifies_our_signatures() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
    text = docs.read_text()
    start = text.index("```python\n", text.index("## Verifying the signature")) + len("```python\n")
    namespace: dict[str, Any] = {}
    exec(text[start : text.index("```", start)], namespace)
    recipe = namespace["verify_signature"]
    header = sign(SECRET, BODY)
    assert recipe(SECRET, header, BODY.encode())
    assert not recipe(SECRET, header, BODY.encode() + b" ")
    assert not recipe("wrong-secret-value", header, BODY.encode())
    assert not recipe(SECRET, sign(SECRET, BODY, timestamp=int(time.time()) - 900), BODY.encode())
    assert not recipe(SECRET, "garbage", BODY.encode())

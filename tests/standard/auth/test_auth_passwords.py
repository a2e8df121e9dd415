"""PasswordHasher: argon2id hashes, verify never raises, rehash on changed parameters."""

from __future__ import annotations

from auth_support import fast_hasher

from framework_m_standard.adapters.auth.passwords import PasswordHasher


def test_hash_is_argon2id_salted_and_verifies() -> None:
    hasher = fast_hasher()
    first, second = hasher.hash("correct horse"), hasher.hash("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert "correct horse" not in first
    assert hasher.verify(first, "correct horse")
    assert hasher.verify(second, "correct horse")


def test_verify_is_false_for_a_wrong_password_or_a_broken_hash() -> None:
    hasher = fast_hasher()
    stored = hasher.hash("correct horse")
    assert hasher.verify(stored, "wrong horse") is False
    assert hasher.verify("not a hash", "correct horse") is False
    assert hasher.verify("", "correct horse") is False
    assert hasher.verify(stored[:-4] + "AAAA", "correct horse") is False


def test_needs_rehash_when_the_parameters_change() -> None:
    cheap = fast_hasher()
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    stored = cheap.hash("correct horse")
    assert cheap.needs_rehash(stored) is False
    assert stronger.needs_rehash(stored) is True
    assert stronger.needs_rehash("not a hash") is True
    # An old hash still verifies with the new parameters; only new hashes use them.
    assert stronger.verify(stored, "correct horse")
    assert stronger.needs_rehash(stronger.hash("correct horse")) is False


def test_default_parameters_are_rfc_9106_low_memory() -> None:
    stored = PasswordHasher().hash("correct horse")
    assert "$m=65536,t=3,p=4$" in stored


def test_verify_dummy_checks_a_real_hash_and_returns_nothing() -> None:
    hasher = fast_hasher()
    assert "_dummy_hash" not in vars(hasher)
    hasher.verify_dummy("anything")
    dummy = hasher._dummy_hash
    assert dummy.startswith("$argon2id$")
    hasher.verify_dummy("again")
    assert hasher._dummy_hash is dummy  # made once, then reused

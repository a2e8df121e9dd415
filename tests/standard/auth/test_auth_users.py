"""LocalIdentityAdapter on SQLite and PostgreSQL: accounts, passwords, tokens, attributes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auth_support import fast_hasher
from pydantic import SecretStr

from framework_m_core.doctypes import User
from framework_m_core.exceptions import (
    AuthenticationError,
    DuplicateNameError,
    EntityNotFoundError,
    ValidationError,
)
from framework_m_core.interfaces.identity import (
    ApiKeyCredentials,
    IdentityProtocol,
    PasswordCredentials,
)
from framework_m_standard.adapters.auth.passwords import PasswordHasher
from framework_m_standard.adapters.auth.service import AuthComponents
from framework_m_standard.adapters.auth.users import LocalIdentityAdapter
from framework_m_standard.adapters.db.runtime import DatabaseRuntime

PASSWORD = "correct horse"


def _credentials(email: str, password: str) -> PasswordCredentials:
    return PasswordCredentials(username=email, password=SecretStr(password))


async def _stored(db: DatabaseRuntime, user: User) -> User:
    async with db.unit_of_work() as uow:
        stored = await db.repositories.get(User).get(uow.session, user.id)
    assert stored is not None
    return stored


async def test_create_user_stores_a_lower_case_email_and_an_argon2_hash(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    user = await auth.identity.create_user(
        " Ann@Example.COM ",
        PASSWORD,
        full_name="Ann",
        roles=["Sales User"],
        teams=["north"],
        tenants=["acme"],
        attributes={"department": "sales"},
    )
    stored = await _stored(auth_db, user)
    assert stored.email == stored.name == "ann@example.com"
    assert stored.password_hash is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert (stored.roles, stored.teams, stored.tenants) == (["Sales User"], ["north"], ["acme"])
    context = await auth.identity.get_user(str(user.id))
    assert context is not None
    assert (context.id, context.email, context.name) == (str(user.id), "ann@example.com", "Ann")
    assert context.attributes == {"department": "sales"}
    assert await auth.identity.get_user_by_email("ANN@example.com") == context


async def test_authenticate_issues_a_token_for_the_user(auth: AuthComponents) -> None:
    identity: IdentityProtocol = auth.identity
    user = await auth.identity.create_user("ann@example.com", PASSWORD, roles=["Sales User"])
    token = await identity.authenticate(_credentials("Ann@Example.com", PASSWORD))
    validated = await identity.validate_token(token.access_token)
    assert validated is not None
    assert validated.id == str(user.id)
    assert validated.roles == ["Sales User"]
    assert await identity.validate_token(token.access_token + "x") is None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ann@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("", PASSWORD),
        ("ann@example.com", ""),
    ],
)
async def test_authenticate_refuses_wrong_password_and_unknown_user(
    auth: AuthComponents, email: str, password: str
) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    with pytest.raises(AuthenticationError, match="Invalid e-mail or password"):
        await auth.identity.authenticate(_credentials(email, password))
    assert await auth.identity.verify_password(email, password) is None


async def test_unknown_users_cost_a_password_check_too(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    hasher = fast_hasher()
    identity = LocalIdentityAdapter(
        repositories=auth_db.repositories,
        unit_of_work=auth_db.unit_of_work,
        tokens=auth.tokens,
        hasher=hasher,
    )
    await identity.create_user("ann@example.com", PASSWORD)
    await identity.create_user("invited@example.com", None)
    assert await identity.verify_password("ann@example.com", "wrong password") is None
    assert "_dummy_hash" not in vars(hasher)  # a known user checks the real hash
    assert await identity.verify_password("invited@example.com", PASSWORD) is None
    assert "_dummy_hash" in vars(hasher)  # no hash to check: the dummy one is
    del vars(hasher)["_dummy_hash"]
    assert await identity.verify_password("nobody@example.com", PASSWORD) is None
    assert "_dummy_hash" in vars(hasher)


async def test_disabled_user_cannot_sign_in_and_is_not_returned(auth: AuthComponents) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD, enabled=False)
    with pytest.raises(AuthenticationError):
        await auth.identity.authenticate(_credentials("ann@example.com", PASSWORD))
    assert await auth.identity.get_user(str(user.id)) is None
    assert await auth.identity.get_user_by_email("ann@example.com") is None
    loaded = await auth.identity.load_user(str(user.id))
    assert loaded is not None
    assert loaded.enabled is False


async def test_user_without_password_cannot_sign_in(auth: AuthComponents) -> None:
    await auth.identity.create_user("invited@example.com", None)
    assert await auth.identity.verify_password("invited@example.com", "") is None
    assert await auth.identity.verify_password("invited@example.com", PASSWORD) is None
    await auth.identity.set_password("Invited@example.com", PASSWORD)
    assert await auth.identity.verify_password("invited@example.com", PASSWORD) is not None


async def test_other_credential_kinds_are_not_accepted(auth: AuthComponents) -> None:
    with pytest.raises(AuthenticationError, match="api_key"):
        await auth.identity.authenticate(ApiKeyCredentials(api_key=SecretStr("fmk_x_y")))


@pytest.mark.parametrize("password", ["", "short", "7 chars", "x" * 1025])
async def test_password_policy(auth: AuthComponents, password: str) -> None:
    with pytest.raises(ValidationError, match="password"):
        await auth.identity.create_user("ann@example.com", password)
    assert await auth.identity.find_by_email("ann@example.com") is None
    await auth.identity.create_user("ann@example.com", "8 chars!")
    with pytest.raises(ValidationError):
        await auth.identity.set_password("ann@example.com", password)
    assert await auth.identity.verify_password("ann@example.com", "8 chars!") is not None


@pytest.mark.parametrize("email", ["not an email", "a@", "", "x" * 130 + "@example.com"])
async def test_invalid_email_is_a_validation_error(auth: AuthComponents, email: str) -> None:
    with pytest.raises(ValidationError):
        await auth.identity.create_user(email, PASSWORD)


async def test_email_is_unique_whatever_its_case(auth: AuthComponents) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    with pytest.raises(DuplicateNameError, match=r"ann@example\.com"):
        await auth.identity.create_user("ANN@example.com", "other password")
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is not None


async def test_set_password_replaces_the_old_one(auth: AuthComponents) -> None:
    await auth.identity.create_user("ann@example.com", PASSWORD)
    await auth.identity.set_password("ANN@example.com", "new password")
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is None
    assert await auth.identity.verify_password("ann@example.com", "new password") is not None
    with pytest.raises(EntityNotFoundError):
        await auth.identity.set_password("nobody@example.com", "new password")


async def test_login_records_last_login_at_most_once_a_minute(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    assert user.last_login is None
    before = datetime.now(UTC)
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is not None
    first = await _stored(auth_db, user)
    assert first.last_login is not None
    assert first.last_login >= before - timedelta(seconds=1)
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is not None
    again = await _stored(auth_db, user)
    assert (again.last_login, again.version) == (first.last_login, first.version)
    # A minute later it is written again.
    again.last_login = datetime.now(UTC) - timedelta(minutes=2)
    async with auth_db.unit_of_work() as uow:
        await auth_db.repositories.get(User).save(uow.session, again)
        await uow.commit()
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is not None
    latest = await _stored(auth_db, user)
    assert latest.last_login is not None
    assert latest.last_login >= before - timedelta(seconds=1)


async def test_hash_made_with_old_parameters_is_replaced_at_login(
    auth: AuthComponents, auth_db: DatabaseRuntime
) -> None:
    user = await auth.identity.create_user("ann@example.com", PASSWORD)
    old_hash = (await _stored(auth_db, user)).password_hash
    assert old_hash is not None
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert stronger.needs_rehash(old_hash)
    upgraded = LocalIdentityAdapter(
        repositories=auth_db.repositories,
        unit_of_work=auth_db.unit_of_work,
        tokens=auth.tokens,
        hasher=stronger,
    )
    assert await upgraded.verify_password("ann@example.com", "wrong password") is None
    assert (await _stored(auth_db, user)).password_hash == old_hash  # not on a failure
    assert await upgraded.verify_password("ann@example.com", PASSWORD) is not None
    new_hash = (await _stored(auth_db, user)).password_hash
    assert new_hash is not None
    assert new_hash != old_hash
    assert not stronger.needs_rehash(new_hash)
    assert stronger.verify(new_hash, PASSWORD)
    # The old adapter still accepts the password (argon2 reads the parameters from the hash).
    assert await auth.identity.verify_password("ann@example.com", PASSWORD) is not None
    assert fast_hasher().needs_rehash(new_hash)


async def test_get_attributes_reads_the_stored_user(auth: AuthComponents) -> None:
    user = await auth.identity.create_user(
        "ann@example.com", PASSWORD, roles=["Sales User"], attributes={"level": 3}
    )
    context = await auth.identity.get_user(str(user.id))
    assert context is not None
    attributes = await auth.identity.get_attributes(context)
    assert attributes == {"level": 3, "roles": ["Sales User"], "teams": [], "tenants": []}
    stranger = context.model_copy(update={"id": "not-a-uuid", "attributes": {"level": 1}})
    assert (await auth.identity.get_attributes(stranger))["level"] == 1


async def test_unknown_or_malformed_ids_are_none(auth: AuthComponents) -> None:
    assert await auth.identity.get_user("not-a-uuid") is None
    assert await auth.identity.get_user("0190a8f2-0000-7000-8000-000000000001") is None
    assert await auth.identity.get_user_by_email("nobody@example.com") is None

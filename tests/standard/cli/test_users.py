"""``m user:create``, ``user:set-password``, ``user:roles`` and ``api-key:create``, run as real
subprocesses against a site that a live server serves (SQLite and PostgreSQL): what they do is
checked by signing in and calling the API over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from io_support import IO_SITE, m_on_terminal, ok, refused, write_site

from service_support import DATABASES

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))
sys.path.insert(0, str(IO_SITE))  # the live server seeds its users in this process
from live_server import LiveServer, serve

pytestmark = pytest.mark.slow

Site = tuple[LiveServer, Path]


@pytest.fixture(scope="module", params=DATABASES)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    extra = {"FRAMEWORK_M_APPS": '["io_sample"]', "PYTHONPATH": str(IO_SITE)}
    with serve(request.param, root, extra_env=extra) as server:
        write_site(root, server.database_url)
        yield server, root


@pytest.fixture(autouse=True)
def _no_server_errors(site: Site) -> Iterator[None]:
    """The server logged no unhandled error while a command changed its users."""
    server, _ = site
    before = len(server.log())
    yield
    assert "Traceback" not in server.log()[before:]


def login(server: LiveServer, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def signed_in(server: LiveServer, email: str, password: str) -> httpx.Client:
    response = login(server, email, password)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def new_member(client: httpx.Client, n: int) -> httpx.Response:
    return client.post("/api/v1/Member", json={"full_name": f"M {n}", "email": f"m{n}@x.org"})


def test_a_created_user_signs_in_over_http_with_their_roles(site: Site) -> None:
    server, root = site
    out = ok(
        root,
        "user:create",
        "Ann@Example.com",
        "--password",
        "ann-password-1",
        "--role",
        "Clerk",
        "--role",
        "Viewer",
        "--name",
        "Ann Example",
        "--team",
        "red",
    )
    assert out.startswith("Created user ann@example.com (")
    assert out.rstrip().endswith("; roles: Clerk, Viewer")

    with signed_in(server, "ann@example.com", "ann-password-1") as client:
        me = client.get("/api/v1/auth/me").json()
        assert (me["email"], me["name"], me["roles"], me["teams"]) == (
            "ann@example.com",
            "Ann Example",
            ["Clerk", "Viewer"],
            ["red"],
        )
        assert new_member(client, 1).status_code == 201  # Clerks may create Members

    assert refused(root, "user:create", "ann@example.com", "--password", "another-password") == (
        "A user with the e-mail ann@example.com already exists"
    )
    assert refused(root, "user:create", "bo@example.com", "--password", "short") == (
        "A password needs at least 8 characters"
    )
    assert refused(root, "user:create", "bo@example.com") == (
        "no password given: use --password (stdin is not a terminal to ask on)"
    )
    assert login(server, "bo@example.com", "short").status_code == 401  # nothing was created

    ok(root, "user:create", "pipe@example.com", "--password-stdin", stdin="piped-password\n")
    assert login(server, "pipe@example.com", "piped-password").status_code == 200


def test_the_first_system_manager_is_made_from_the_command_line(site: Site) -> None:
    server, root = site
    out = ok(
        root, "user:create", "root@example.com", "--password", "root-password", "--system-manager"
    )
    assert out.rstrip().endswith("; roles: System Manager")
    ok(root, "user:create", "clerk@example.com", "--password", "clerk-password", "--role", "Clerk")

    with signed_in(server, "root@example.com", "root-password") as admin:
        users = admin.get("/api/v1/User", params={"limit": 100})
        assert users.status_code == 200, users.text
        assert "clerk@example.com" in {u["email"] for u in users.json()["data"]}
    with signed_in(server, "clerk@example.com", "clerk-password") as clerk:
        assert clerk.get("/api/v1/User").status_code == 403


def test_roles_are_added_and_removed(site: Site) -> None:
    server, root = site
    ok(root, "user:create", "rita@example.com", "--password", "rita-password", "--role", "Clerk")

    out = ok(
        root,
        "user:roles",
        "Rita@example.com",
        "--add",
        "Viewer",
        "--add",
        "HR",
        "--remove",
        "Clerk",
    )
    assert out == "rita@example.com: Viewer, HR\n"
    assert ok(root, "user:roles", "rita@example.com") == "rita@example.com: Viewer, HR\n"

    with signed_in(server, "rita@example.com", "rita-password") as client:
        assert client.get("/api/v1/auth/me").json()["roles"] == ["Viewer", "HR"]
        assert new_member(client, 2).status_code == 403  # no longer a Clerk
        assert client.get("/api/v1/Member").status_code == 200  # a Viewer now

    assert refused(root, "user:roles", "rita@example.com", "--add", "HR", "--remove", "HR") == (
        "a role cannot be added and removed at once: HR"
    )
    assert refused(root, "user:roles", "ghost@example.com", "--add", "HR") == (
        "no user with the e-mail ghost@example.com"
    )


def test_set_password(site: Site) -> None:
    server, root = site
    ok(root, "user:create", "sam@example.com", "--password", "first-password")

    out = ok(root, "user:set-password", "sam@example.com", "--password", "second-password")
    assert out == "Password of sam@example.com changed.\n"
    assert login(server, "sam@example.com", "first-password").status_code == 401
    assert login(server, "sam@example.com", "second-password").status_code == 200

    ok(root, "user:set-password", "SAM@example.com", "--password-stdin", stdin="third-password\n")
    assert login(server, "sam@example.com", "third-password").status_code == 200

    assert refused(root, "user:set-password", "sam@example.com") == (
        "no password given: use --password (stdin is not a terminal to ask on)"
    )
    assert refused(root, "user:set-password", "ghost@example.com", "--password", "whatever-1") == (
        "No user with the e-mail ghost@example.com"
    )
    assert login(server, "sam@example.com", "third-password").status_code == 200


def test_a_password_is_asked_for_twice_without_echo_on_a_terminal(site: Site) -> None:
    server, root = site
    ok(root, "user:create", "tia@example.com", "--password", "first-password")

    typed = [("Password: ", "typed-secret-1\n"), ("Password again: ", "typed-secret-1\n")]
    code, output = m_on_terminal(root, "user:set-password", "tia@example.com", answers=typed)
    assert code == 0, output
    assert "Password of tia@example.com changed." in output
    assert "typed-secret-1" not in output  # not echoed
    assert login(server, "tia@example.com", "typed-secret-1").status_code == 200

    typed = [("Password: ", "typed-secret-2\n"), ("Password again: ", "typed-secret-3\n")]
    code, output = m_on_terminal(root, "user:set-password", "tia@example.com", answers=typed)
    assert code == 1
    assert "m: error: the passwords do not match" in output
    assert login(server, "tia@example.com", "typed-secret-1").status_code == 200

    typed = [("Password: ", "new-user-pass\n"), ("Password again: ", "new-user-pass\n")]
    code, output = m_on_terminal(root, "user:create", "tom@example.com", answers=typed)
    assert code == 0, output
    assert login(server, "tom@example.com", "new-user-pass").status_code == 200


def test_an_api_key_works_for_requests_within_its_scopes(site: Site) -> None:
    server, root = site
    ok(root, "user:create", "kim@example.com", "--password", "kim-password", "--role", "Clerk")

    result = ok(
        root, "api-key:create", "kim@example.com", "--scope", "read", "--expires-days", "30"
    )
    lines = result.splitlines()
    assert len(lines) == 1  # the key alone, so that KEY=$(m api-key:create ...) works
    read_key = lines[0]
    assert read_key.startswith("fmk_")
    full_key = ok(root, "api-key:create", "kim@example.com", "--label", "ci").strip()

    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        read_only = {"X-API-Key": read_key}
        assert client.get("/api/v1/auth/me", headers=read_only).json()["email"] == "kim@example.com"
        assert client.get("/api/v1/Member", headers=read_only).status_code == 200
        denied = client.post(
            "/api/v1/Member", headers=read_only, json={"full_name": "K", "email": "k@x.org"}
        )
        assert denied.status_code == 403
        created = client.post(
            "/api/v1/Member",
            headers={"X-API-Key": full_key},
            json={"full_name": "K", "email": "k@x.org"},
        )
        assert created.status_code == 201, created.text
        assert (
            client.get("/api/v1/Member", headers={"X-API-Key": read_key + "x"}).status_code == 401
        )

    assert refused(root, "api-key:create", "kim@example.com", "--expires-days", "0") == (
        "--expires-days must be at least 1"
    )
    assert refused(root, "api-key:create", "ghost@example.com") == (
        "no enabled user with the e-mail ghost@example.com"
    )

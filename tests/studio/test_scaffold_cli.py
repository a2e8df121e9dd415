"""``m new:app`` and ``m new:doctype`` as a user runs them: the real ``m`` in a subprocess."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest
from scaffold_support import M, clean_env, ok, run_m

pytestmark = pytest.mark.slow


def test_the_studio_plugin_adds_both_commands_to_m(tmp_path: Path) -> None:
    done = run_m("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "new:app" in done.stdout
    assert "new:doctype" in done.stdout
    assert "warning" not in done.stderr  # the plugin loaded
    for command in ("new:app", "new:doctype"):
        helped = run_m(command, "--help", cwd=tmp_path)
        assert helped.returncode == 0, helped.stderr
        assert "NAME" in helped.stdout


def test_new_app_then_new_doctype_inside_it(tmp_path: Path) -> None:
    made = run_m("new:app", "scaf_cli_shop", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "scaf_cli_shop"
    assert f"Created app scaf_cli_shop in {root}" in made.stdout
    assert (root / "src" / "scaf_cli_shop" / "doctypes" / "__init__.py").is_file()

    inside = root / "src" / "scaf_cli_shop"  # anywhere in the checkout finds the app
    added = run_m("new:doctype", "Stock Item", cwd=inside)
    assert added.returncode == 0, added.stderr
    folder = inside / "doctypes" / "stock_item"
    assert f"Created DocType StockItem in scaf_cli_shop: {folder}" in added.stdout
    assert sorted(p.name for p in folder.iterdir()) == [
        "__init__.py",
        "controller.py",
        "doctype.py",
        "test_stock_item.py",
    ]


def test_new_app_with_path(tmp_path: Path) -> None:
    elsewhere = tmp_path / "apps"
    elsewhere.mkdir()
    done = run_m("new:app", "scaf-cli-dash", "--path", str(elsewhere), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "scaf_cli_dash" / "pyproject.toml").is_file()


def test_user_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "scaf_cli_taken").mkdir()
    cases = [
        (("new:app", "Bad Name"), "Invalid app name 'Bad Name'"),
        (("new:app", "scaf_cli_taken"), "scaf_cli_taken already exists"),
        (("new:app", "scaf_cli_x", "--path", str(tmp_path / "nope")), "does not exist"),
        (("new:doctype", "2Bad", "--app", "whatever"), "Invalid DocType name '2Bad'"),
        (("new:doctype", "Note", "--app", "nowhere"), "App 'nowhere' not found"),
    ]
    for args, message in cases:
        done = run_m(*args, cwd=tmp_path)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["scaf_cli_taken"]


def test_without_a_terminal_and_without_an_app_new_doctype_fails(tmp_path: Path) -> None:
    assert not any((d / "pyproject.toml").exists() for d in (tmp_path, *tmp_path.parents))
    run_m("new:app", "scaf_cli_near", cwd=tmp_path)  # beside the cwd: still no choice to make
    done = run_m("new:doctype", "Note", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "Cannot detect app. Use --app <name>.\n"
    assert done.stdout == ""
    assert not (tmp_path / "scaf_cli_near" / "src" / "scaf_cli_near" / "doctypes" / "note").exists()
    named = run_m("new:doctype", "Note", "--app", "scaf_cli_near", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert (tmp_path / "scaf_cli_near" / "src" / "scaf_cli_near" / "doctypes" / "note").is_dir()


def test_new_doctype_refuses_to_overwrite(tmp_path: Path) -> None:
    run_m("new:app", "scaf_cli_once", cwd=tmp_path)
    root = tmp_path / "scaf_cli_once"
    assert run_m("new:doctype", "Note", cwd=root).returncode == 0
    doctype_file = root / "src" / "scaf_cli_once" / "doctypes" / "note" / "doctype.py"
    doctype_file.write_text("# mine\n")
    again = run_m("new:doctype", "Note", cwd=root)
    assert again.returncode == 1
    assert again.stderr.startswith("DocType Note already exists in scaf_cli_once: ")
    assert doctype_file.read_text() == "# mine\n"


def _read_until(fd: int, wanted: str, timeout: float = 60) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"did not see {wanted!r}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
    return seen


def test_on_a_terminal_new_doctype_asks_which_app(tmp_path: Path) -> None:
    for name in ("scaf_cli_alpha", "scaf_cli_beta"):
        assert run_m("new:app", name, cwd=tmp_path).returncode == 0
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(M), "new:doctype", "Ticket"],
        cwd=tmp_path,
        env=clean_env(),
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    try:
        prompt = _read_until(leader, "]: ")
        assert "Which app? [scaf_cli_alpha, scaf_cli_beta]: " in prompt
        os.write(leader, b"scaf_cli_beta\n")
        output = _read_until(leader, "Next:")
        assert process.wait(timeout=60) == 0, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    assert "Created DocType Ticket in scaf_cli_beta" in output
    beta = tmp_path / "scaf_cli_beta" / "src" / "scaf_cli_beta" / "doctypes" / "ticket"
    alpha = tmp_path / "scaf_cli_alpha" / "src" / "scaf_cli_alpha" / "doctypes" / "ticket"
    assert (beta / "doctype.py").is_file()
    assert not alpha.exists()


def test_a_new_site_is_migrated_and_gets_its_first_user(
    tmp_path: Path, database_env: dict[str, str]
) -> None:
    url = database_env.get("DATABASE_URL")
    args = ("new:site", "books.local") + (("--database-url", url) if url else ())
    assert "Created site books.local" in ok(tmp_path, *args)
    site = tmp_path / "books.local"
    # Only the site's own settings: no DATABASE_URL in the environment from here on.
    assert "Applied" in ok(site, "migrate")
    created = ok(
        site, "user:create", "owner@example.com", "--password", "pw-owner-1234", "--system-manager"
    )
    assert "Created user owner@example.com" in created
    if url is None:
        assert (site / "site.db").is_file()
    again = run_m("new:site", "books.local", cwd=tmp_path)
    assert again.returncode == 1
    assert "books.local already exists" in again.stderr

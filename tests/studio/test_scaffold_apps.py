"""Which app ``m new:doctype`` writes to: --app, the nearest pyproject, or the user's pick."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from framework_m_studio.scaffold.apps import (
    CANNOT_DETECT,
    apps_below,
    declared_apps,
    installed_apps,
    nearest_project_apps,
    resolve_app,
)
from framework_m_studio.scaffold.names import ScaffoldError


def write_project(root: Path, apps: dict[str, str], *, layout: str = "src") -> Path:
    """A checkout whose pyproject declares ``apps`` (entry name -> package), packages on disk."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [f'{name} = "{package}"' for name, package in apps.items()]
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[project.entry-points."framework_m.apps"]\n'
        + "\n".join(lines)
        + "\n"
    )
    base = root / "src" if layout == "src" else root
    for package in apps.values():
        pkg = base.joinpath(*package.split("."))
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text("")
    return root


def never_asked(question: str) -> str:
    raise AssertionError(f"asked {question!r} although the app was known")


def answers(*replies: str) -> tuple[Callable[[str], str], list[str]]:
    """An ``ask`` that replies in turn and records the questions."""
    questions: list[str] = []
    queue = list(replies)

    def ask(question: str) -> str:
        questions.append(question)
        if not queue:
            raise EOFError
        return queue.pop(0)

    return ask, questions


def test_declared_apps_in_src_and_flat_layouts(tmp_path: Path) -> None:
    src = write_project(tmp_path / "a", {"crm": "crm"})
    flat = write_project(tmp_path / "b", {"desk": "helpdesk"}, layout="flat")
    [crm] = declared_apps(src / "pyproject.toml")
    assert (crm.name, crm.package, crm.package_dir) == ("crm", "crm", src / "src" / "crm")
    assert crm.doctypes_dir() == src / "src" / "crm" / "doctypes"
    [desk] = declared_apps(flat / "pyproject.toml")
    assert (desk.name, desk.package, desk.package_dir) == ("desk", "helpdesk", flat / "helpdesk")


def test_a_pyproject_without_apps_declares_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    assert declared_apps(tmp_path / "pyproject.toml") == []


def test_a_declared_package_that_is_missing_is_reported_when_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project.entry-points."framework_m.apps"]\nghost = "ghost_pkg"\n'
    )
    [ghost] = declared_apps(tmp_path / "pyproject.toml")
    assert ghost.package_dir is None
    with pytest.raises(ScaffoldError, match="'ghost_pkg', which is not there"):
        ghost.doctypes_dir()


def test_a_broken_pyproject_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ScaffoldError, match=r"Cannot read .*pyproject\.toml"):
        declared_apps(tmp_path / "pyproject.toml")


def test_nearest_project_walks_up_past_projects_without_apps(tmp_path: Path) -> None:
    write_project(tmp_path / "crm", {"crm": "crm"})
    inner = tmp_path / "crm" / "tools"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "tools"\n')  # declares no app
    deep = inner / "a" / "b"
    deep.mkdir(parents=True)
    assert [app.name for app in nearest_project_apps(deep)] == ["crm"]
    assert nearest_project_apps(tmp_path) == []


def test_apps_below_finds_the_apps_next_door(tmp_path: Path) -> None:
    write_project(tmp_path / "beta", {"beta": "beta"})
    write_project(tmp_path / "alpha", {"alpha": "alpha"})
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "pyproject.toml").write_text("not toml [")
    (tmp_path / "plain.txt").write_text("")
    assert [app.name for app in apps_below(tmp_path)] == ["alpha", "beta"]


def test_explicit_app_wins_without_asking(tmp_path: Path) -> None:
    write_project(tmp_path / "crm", {"crm": "crm"})
    write_project(tmp_path / "desk", {"desk": "helpdesk"})
    chosen = resolve_app("desk", cwd=tmp_path, interactive=True, ask=never_asked)
    assert chosen.package_dir == tmp_path / "desk" / "src" / "helpdesk"
    by_package = resolve_app("helpdesk", cwd=tmp_path, interactive=False)
    assert by_package.name == "desk"
    # Inside one checkout, --app still reaches the other apps it can see: here none.
    with pytest.raises(ScaffoldError, match="'desk' not found"):
        resolve_app("desk", cwd=tmp_path / "crm", interactive=False)


def test_unknown_explicit_app_lists_what_exists(tmp_path: Path) -> None:
    write_project(tmp_path / "crm", {"crm": "crm"})
    with pytest.raises(ScaffoldError) as caught:
        resolve_app("nope", cwd=tmp_path, interactive=False)
    assert str(caught.value) == "App 'nope' not found (apps found here: crm)."


def test_the_nearest_project_is_the_app(tmp_path: Path) -> None:
    write_project(tmp_path / "crm", {"crm": "crm"})
    write_project(tmp_path / "desk", {"desk": "desk"})  # a neighbour does not make it ambiguous
    inside = tmp_path / "crm" / "src" / "crm"
    chosen = resolve_app(None, cwd=inside, interactive=False, ask=never_asked)
    assert chosen.name == "crm"


def test_without_a_terminal_and_without_an_app_it_fails(tmp_path: Path) -> None:
    write_project(tmp_path / "crm", {"crm": "crm"})  # below the cwd: a candidate, not a choice
    with pytest.raises(ScaffoldError) as caught:
        resolve_app(None, cwd=tmp_path, interactive=False, ask=never_asked)
    assert str(caught.value) == CANNOT_DETECT == "Cannot detect app. Use --app <name>."


def test_two_apps_in_one_project_without_a_terminal_fail(tmp_path: Path) -> None:
    write_project(tmp_path, {"crm": "crm", "sales": "sales"})
    with pytest.raises(ScaffoldError, match=r"^Cannot detect app\. Use --app <name>\.$"):
        resolve_app(None, cwd=tmp_path, interactive=False)


def test_on_a_terminal_the_user_picks_by_name_or_number(tmp_path: Path) -> None:
    write_project(tmp_path / "alpha", {"alpha": "alpha"})
    write_project(tmp_path / "beta", {"beta": "beta"})
    ask, questions = answers("gamma", "beta")
    assert resolve_app(None, cwd=tmp_path, interactive=True, ask=ask).name == "beta"
    assert questions == ["Which app? [alpha, beta]: "] * 2
    ask, _ = answers("1")
    assert resolve_app(None, cwd=tmp_path, interactive=True, ask=ask).name == "alpha"


def test_a_project_with_two_apps_asks_between_them(tmp_path: Path) -> None:
    write_project(tmp_path, {"crm": "crm", "sales": "sales"})
    ask, questions = answers("sales")
    assert resolve_app(None, cwd=tmp_path, interactive=True, ask=ask).name == "sales"
    assert questions == ["Which app? [crm, sales]: "]


def test_on_a_terminal_no_answer_fails_like_without_one(tmp_path: Path) -> None:
    write_project(tmp_path / "alpha", {"alpha": "alpha"})
    write_project(tmp_path / "beta", {"beta": "beta"})
    ask, questions = answers("x", "y", "z", "beta")  # three wrong answers end it
    with pytest.raises(ScaffoldError, match="Cannot detect app"):
        resolve_app(None, cwd=tmp_path, interactive=True, ask=ask)
    assert len(questions) == 3
    ask, _ = answers()  # end of input
    with pytest.raises(ScaffoldError, match="Cannot detect app"):
        resolve_app(None, cwd=tmp_path, interactive=True, ask=ask)


def test_on_a_terminal_with_no_app_anywhere_it_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="create one with `m new:app NAME`"):
        resolve_app(None, cwd=tmp_path, interactive=True, ask=never_asked)


@pytest.fixture
def installed_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real installed distribution advertising ``framework_m.apps``: ``ledger = ledger_pkg``."""
    site = tmp_path / "site"
    package = site / "ledger_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    dist = site / "ledger_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ledger-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [framework_m.apps]
            ledger = ledger_pkg
            """
        )
    )
    monkeypatch.syspath_prepend(str(site))
    yield package
    sys.modules.pop("ledger_pkg", None)


def test_installed_apps_are_found_by_their_entry_point(installed_app: Path) -> None:
    [ledger] = [app for app in installed_apps() if app.name == "ledger"]
    assert (ledger.package, ledger.package_dir, ledger.origin) == (
        "ledger_pkg",
        installed_app,
        "installed",
    )


def test_installed_apps_are_offered_and_named(installed_app: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert resolve_app("ledger", cwd=empty, interactive=False).package_dir == installed_app
    ask, questions = answers("ledger")
    assert resolve_app(None, cwd=empty, interactive=True, ask=ask).package_dir == installed_app
    assert "ledger" in questions[0]
    with pytest.raises(ScaffoldError, match="Cannot detect app"):
        resolve_app(None, cwd=empty, interactive=False)


def test_a_checkout_beats_the_installed_copy_of_the_same_app(
    installed_app: Path, tmp_path: Path
) -> None:
    checkout = write_project(tmp_path / "ledger", {"ledger": "ledger_pkg"})
    chosen = resolve_app("ledger", cwd=tmp_path, interactive=False)
    assert chosen.package_dir == checkout / "src" / "ledger_pkg"

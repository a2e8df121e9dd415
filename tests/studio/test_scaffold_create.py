"""What ``create_app`` and ``create_doctype`` write, and what they refuse to overwrite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import load_settings
from framework_m_studio.scaffold import (
    ScaffoldError,
    app_name,
    create_app,
    create_doctype,
    create_site,
    doctype_name,
    resolve_app,
)
from framework_m_studio.scaffold.apps import declared_apps

RUFF = Path(sys.executable).with_name("ruff")


@pytest.fixture
def forget_modules() -> Iterator[list[str]]:
    """Packages a test imports from a temp dir, dropped from ``sys.modules`` afterwards."""
    packages: list[str] = []
    yield packages
    for module in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[module]


def test_new_app_writes_an_installable_app(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_books"), parent=tmp_path)
    assert root == tmp_path / "scaf_books"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",
        "README.md",
        "framework_config.toml",
        "pyproject.toml",
        "src/scaf_books/__init__.py",
        "src/scaf_books/doctypes/__init__.py",
        "src/scaf_books/py.typed",
        "tests/test_app.py",
    ]
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["name"] == "scaf-books"
    assert project["project"]["dependencies"] == ["framework-m>=0.1.0"]
    assert project["project"]["entry-points"]["framework_m.apps"] == {"scaf_books": "scaf_books"}
    assert project["build-system"]["build-backend"] == "hatchling.build"
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/scaf_books"]
    [app] = declared_apps(root / "pyproject.toml")
    assert app.package_dir == root / "src" / "scaf_books"
    for path in root.rglob("*"):
        if path.is_file():
            assert "${" not in path.read_text(), path


def test_the_new_app_settings_serve_it_on_sqlite(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_site"), parent=tmp_path)
    settings = load_settings(config_file=root / "framework_config.toml", env={})
    assert settings.apps == ["scaf_site"]
    assert settings.database_url == "sqlite+aiosqlite:///./scaf_site.db"
    assert settings.project_root == str(root)
    assert settings.environment == "development"


def test_new_app_refuses_an_existing_directory_and_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "scaf_taken").mkdir()
    (tmp_path / "scaf_taken" / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="scaf_taken already exists"):
        create_app(app_name("scaf_taken"), parent=tmp_path)
    assert [p.name for p in (tmp_path / "scaf_taken").iterdir()] == ["notes.txt"]


def test_new_app_refuses_a_name_that_is_already_installed(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="'pydantic' is already installed"):
        create_app(app_name("pydantic"), parent=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_new_app_needs_an_existing_parent(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="does not exist"):
        create_app(app_name("scaf_nowhere"), parent=tmp_path / "missing")


def test_new_doctype_writes_its_folder(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_sales"), parent=tmp_path)
    app = resolve_app(None, cwd=root, interactive=False)
    written = create_doctype(doctype_name("Sales Invoice"), app)
    folder = root / "src" / "scaf_sales" / "doctypes" / "sales_invoice"
    assert written == [
        folder / "__init__.py",
        folder / "doctype.py",
        folder / "controller.py",
        folder / "test_sales_invoice.py",
    ]
    assert "class SalesInvoice(DocType):" in (folder / "doctype.py").read_text()
    controller = (folder / "controller.py").read_text()
    assert "class SalesInvoiceController(Controller[SalesInvoice]):" in controller
    test = (folder / "test_sales_invoice.py").read_text()
    assert 'apps=["scaf_sales"]' in test
    assert "from .doctype import SalesInvoice" in test


def test_new_doctype_refuses_to_overwrite(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_twice"), parent=tmp_path)
    app = resolve_app(None, cwd=root, interactive=False)
    [*_, test_file] = create_doctype(doctype_name("Note"), app)
    test_file.write_text("# edited by hand\n")
    with pytest.raises(ScaffoldError, match=r"DocType Note already exists in scaf_twice: .*note$"):
        create_doctype(doctype_name("note"), app)
    assert test_file.read_text() == "# edited by hand\n"


def test_new_doctype_refuses_a_class_defined_elsewhere_in_the_app(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_elsewhere"), parent=tmp_path)
    doctypes = root / "src" / "scaf_elsewhere" / "doctypes"
    (doctypes / "misc.py").write_text(
        "from framework_m import DocType\n\nclass Note(DocType):\n    pass\n"
    )
    app = resolve_app(None, cwd=root, interactive=False)
    with pytest.raises(ScaffoldError, match=r"DocType Note already exists .*misc\.py"):
        create_doctype(doctype_name("Note"), app)
    assert not (doctypes / "note").exists()


def test_new_doctype_adds_the_doctypes_package_an_app_lacks(tmp_path: Path) -> None:
    package = tmp_path / "handmade"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[project.entry-points."framework_m.apps"]\nhandmade = "handmade"\n'
    )
    app = resolve_app(None, cwd=tmp_path, interactive=False)
    written = create_doctype(doctype_name("Task"), app)
    assert written[0] == package / "doctypes" / "__init__.py"
    assert (package / "doctypes" / "task" / "doctype.py").is_file()


def test_the_generated_app_loads_with_its_doctypes_and_controllers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forget_modules: list[str]
) -> None:
    root = create_app(app_name("scaf_loads"), parent=tmp_path)
    app = resolve_app(None, cwd=root, interactive=False)
    for name in ("Customer", "Sales Order", "Email"):
        create_doctype(doctype_name(name), app)
    monkeypatch.syspath_prepend(str(root / "src"))
    forget_modules.append("scaf_loads")
    registry = MetaRegistry()
    registry.load_apps(["scaf_loads"])
    assert sorted(registry.list_doctypes()) == ["Customer", "Email", "SalesOrder"]
    for name in registry.list_doctypes():
        doctype = registry.get_doctype(name)
        controller = registry.get_controller(name)
        assert controller is not None
        assert controller.__name__ == f"{name}Controller"
        assert controller.doctype is doctype
        assert doctype.get_meta().permissions["create"] == ["System Manager"]
        assert doctype.get_meta().title_field == "title"


def ruff(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [str(RUFF), *args, "--no-cache", "."], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_generated_code_is_linted_and_formatted(tmp_path: Path) -> None:
    root = create_app(app_name("scaf_lint"), parent=tmp_path)
    app = resolve_app(None, cwd=root, interactive=False)
    create_doctype(doctype_name("Purchase Order"), app)
    create_doctype(doctype_name("Sales Invoice Tax And Charge"), app)
    ruff("check", cwd=root)
    ruff("format", "--check", cwd=root)


def test_the_generated_code_of_a_very_long_name_is_lint_clean(tmp_path: Path) -> None:
    # The formatter may re-wrap a class line of a 48-letter name; the code is still clean.
    root = create_app(app_name("scaf_long"), parent=tmp_path)
    app = resolve_app(None, cwd=root, interactive=False)
    create_doctype(doctype_name("Very Long Document Type Name For Line Lengths Ok"), app)
    ruff("check", cwd=root)


def test_new_site_serves_every_installed_app_on_sqlite_by_default(tmp_path: Path) -> None:
    root = create_site("erp.example.com", parent=tmp_path)
    assert sorted(p.name for p in root.iterdir()) == [".gitignore", "framework_config.toml"]
    settings = load_settings(config_file=root / "framework_config.toml", env={})
    assert settings.apps is None
    assert settings.database_url == "sqlite+aiosqlite:///./site.db"
    assert settings.project_root == str(root)


@pytest.fixture
def installed_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An installed distribution (a real dist-info on the path) advertising an app."""
    site = tmp_path / "site-packages"
    dist = site / "scaf_ledger-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: scaf-ledger\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [framework_m.apps]
            scaf_ledger = scaf_ledger
            """
        )
    )
    monkeypatch.syspath_prepend(str(site))
    return "scaf_ledger"


def test_new_site_names_its_apps_and_database(tmp_path: Path, installed_app: str) -> None:
    url = 'postgresql+asyncpg://erp:p"w@db.internal:5432/erp'
    root = create_site("erp", parent=tmp_path, apps=[installed_app], database_url=url)
    settings = load_settings(config_file=root / "framework_config.toml", env={})
    assert settings.apps == [installed_app]
    assert settings.database_url == url


def test_new_site_refuses_apps_that_are_not_installed(tmp_path: Path, installed_app: str) -> None:
    with pytest.raises(ScaffoldError) as caught:
        create_site("erp", parent=tmp_path, apps=[installed_app, "scaf_missing"])
    assert str(caught.value).startswith(
        "App 'scaf_missing' is not installed (installed apps: scaf_ledger)"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "site-packages"]


def test_new_site_refuses_a_bad_url_and_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"Invalid database URL 'erp\.db'"):
        create_site("erp", parent=tmp_path, database_url="erp.db")
    (tmp_path / "erp").mkdir()
    with pytest.raises(ScaffoldError, match="erp already exists"):
        create_site("erp", parent=tmp_path)

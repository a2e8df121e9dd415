"""MetaRegistry: registration, look-up, discovery from packages and the apps entry-point group."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from framework_m_core.domain.base_doctype import BaseDocType
from framework_m_core.exceptions import DocTypeNotFoundError, DuplicateDocTypeError
from framework_m_core.registry import MetaRegistry


def _write_app(root: Path, package: str, source: str) -> None:
    pkg = root / package
    (pkg / "doctypes").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "doctypes" / "__init__.py").write_text("")
    (pkg / "doctypes" / "todo.py").write_text(textwrap.dedent(source))


TODO_APP = """
from framework_m_core.domain.base_controller import BaseController
from framework_m_core.domain.base_doctype import BaseDocType

class Todo(BaseDocType):
    title: str

class TodoController(BaseController[Todo]):
    async def validate(self, context=None):
        pass
"""


def test_register_get_list() -> None:
    class Alpha(BaseDocType):
        pass

    reg = MetaRegistry()
    reg.register_doctype(Alpha)
    reg.register_doctype(Alpha)  # same class again is harmless
    assert reg.get_doctype("Alpha") is Alpha
    assert reg.list_doctypes() == ["Alpha"]
    assert reg.get_controller("Alpha") is None
    with pytest.raises(DocTypeNotFoundError):
        reg.get_doctype("Beta")


def test_duplicate_doctype_name_is_an_error() -> None:
    def make() -> type[BaseDocType]:
        class Same(BaseDocType):
            pass

        return Same

    reg = MetaRegistry()
    reg.register_doctype(make())
    with pytest.raises(DuplicateDocTypeError):
        reg.register_doctype(make())


def test_discover_and_load_apps_from_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_app(tmp_path, "todo_app", TODO_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = MetaRegistry()
    assert reg.load_apps(["todo_app"]) == ["todo_app"]
    todo = reg.get_doctype("Todo")
    controller = reg.get_controller("Todo")
    assert controller is not None
    assert controller.doctype is todo
    for module in [m for m in sys.modules if m.startswith("todo_app")]:
        del sys.modules[module]


def test_load_apps_from_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_app(tmp_path, "ep_app", TODO_APP.replace("Todo", "EpTodo"))
    dist = tmp_path / "ep_app-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-app\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[framework_m.apps]\nep = ep_app\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = MetaRegistry()
    reg.load_apps(["ep"])
    assert reg.has_doctype("EpTodo")
    for module in [m for m in sys.modules if m.startswith("ep_app")]:
        del sys.modules[module]

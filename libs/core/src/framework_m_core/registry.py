"""``MetaRegistry``: which DocTypes and controllers exist, found from installed apps."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

from framework_m_core.domain.base_controller import BaseController
from framework_m_core.domain.base_doctype import BaseChildDocType, BaseDocType
from framework_m_core.exceptions import DocTypeNotFoundError, DuplicateDocTypeError

APPS_GROUP = "framework_m.apps"
_BASES = (BaseDocType, BaseChildDocType)


class MetaRegistry:
    """DocType name -> class and controller. One instance per application (built in bootstrap)."""

    def __init__(self) -> None:
        self._doctypes: dict[str, type[BaseDocType]] = {}
        self._controllers: dict[str, type[BaseController[BaseDocType]]] = {}
        self._apps: list[str] = []
        self._packages: list[str] = []

    # ------------------------------------------------------------ registration
    def register_doctype(
        self,
        doctype_class: type[BaseDocType],
        controller_class: type[BaseController[BaseDocType]] | None = None,
    ) -> None:
        """Register a DocType (and optionally its controller). Re-registering the same class is a no-op."""
        name = doctype_class.get_doctype_name()
        existing = self._doctypes.get(name)
        if existing is not None and existing is not doctype_class:
            raise DuplicateDocTypeError(
                f"DocType {name!r} is registered twice: {_where(existing)} and {_where(doctype_class)}",
                doctype=name,
            )
        self._doctypes[name] = doctype_class
        if controller_class is not None:
            self.register_controller(doctype_class, controller_class)

    def register_controller(
        self, doctype_class: type[BaseDocType], controller_class: type[BaseController[BaseDocType]]
    ) -> None:
        name = doctype_class.get_doctype_name()
        existing = self._controllers.get(name)
        if existing is not None and existing is not controller_class:
            raise DuplicateDocTypeError(
                f"DocType {name!r} has two controllers: {_where(existing)} and {_where(controller_class)}",
                doctype=name,
            )
        self._controllers[name] = controller_class

    # ------------------------------------------------------------ look-up
    def get_doctype(self, name: str) -> type[BaseDocType]:
        try:
            return self._doctypes[name]
        except KeyError:
            raise DocTypeNotFoundError(
                f"DocType {name!r} is not registered", doctype=name
            ) from None

    def get_controller(self, name: str) -> type[BaseController[BaseDocType]] | None:
        return self._controllers.get(name)

    def has_doctype(self, name: str) -> bool:
        return name in self._doctypes

    def list_doctypes(self) -> list[str]:
        return list(self._doctypes)

    def doctypes(self) -> list[type[BaseDocType]]:
        return list(self._doctypes.values())

    @property
    def apps(self) -> list[str]:
        return list(self._apps)

    def packages(self) -> list[str]:
        """The import packages of the loaded apps (where their ``@rpc`` functions live)."""
        return list(self._packages)

    # ------------------------------------------------------------ discovery
    def discover_doctypes(self, package_name: str) -> list[type[BaseDocType]]:
        """Import a package and every module under it; register the DocTypes and controllers defined there."""
        found: list[type[BaseDocType]] = []
        controllers: list[type[BaseController[BaseDocType]]] = []
        for module in _walk(importlib.import_module(package_name)):
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if obj.__module__ != module.__name__:
                    continue
                if issubclass(obj, BaseDocType) and obj not in _BASES:
                    self.register_doctype(obj)
                    found.append(obj)
                elif issubclass(obj, BaseController) and obj.doctype is not None:
                    controllers.append(obj)
        for controller in controllers:
            assert controller.doctype is not None
            if self._doctypes.get(controller.doctype.get_doctype_name()) is controller.doctype:
                self.register_controller(controller.doctype, controller)
        return found

    def load_apps(self, installed_apps: Iterable[str] | None = None) -> list[str]:
        """Register the DocTypes of every app.

        Apps come from the ``framework_m.apps`` entry-point group (name -> package). When
        ``installed_apps`` is given it sets the load order, and a name that is not an entry
        point is imported as a package directly (handy for apps on ``sys.path``).
        """
        advertised = {ep.name: ep.value for ep in entry_points(group=APPS_GROUP)}
        order = list(installed_apps) if installed_apps is not None else sorted(advertised)
        for app in order:
            if app in self._apps:
                continue
            package = advertised.get(app, app)
            self.discover_doctypes(package)
            self._apps.append(app)
            top = package.partition(":")[0].split(".")[0]
            if top not in self._packages:
                self._packages.append(top)
        return self.apps


def _walk(package: ModuleType) -> Iterable[ModuleType]:
    yield package
    path = getattr(package, "__path__", None)
    if path is None:
        return
    for info in pkgutil.walk_packages(path, prefix=f"{package.__name__}."):
        if info.name.rsplit(".", 1)[-1].startswith("test"):
            continue
        yield importlib.import_module(info.name)


def _where(obj: type) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"

"""The DI container and the binding of adapters to ports.

Which adapter serves a port is decided once, at bootstrap, with the priority
explicit config (``settings.adapters[port]``) > entry point in ``framework_m.adapters.<port>``
> the default the caller names. Tests replace a port with :func:`override`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from dependency_injector import containers, providers

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings

ADAPTERS_GROUP_PREFIX = "framework_m.adapters."
STANDARD_DISTRIBUTION = "framework-m-standard"

AdapterFactory = Callable[..., Any]
"""A class or factory function that builds an adapter."""

PORTS: dict[str, str] = {
    "schema_mapper": "schema_mapper",
    "unit_of_work": "unit_of_work_factory",
    "repository": "repository_factory",
    "event_bus": "event_bus",
    "permission": "permission",
    "cache": "cache",
    "job_queue": "job_queue",
    "storage": "storage",
}
"""Port name (as used in entry-point groups and ``settings.adapters``) -> container provider."""


class Container(containers.DeclarativeContainer):
    """One per application; built by bootstrap, adapters bound to its port providers."""

    config = providers.Configuration()
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    meta_registry: providers.Singleton[MetaRegistry] = providers.Singleton(MetaRegistry)

    schema_mapper: providers.Dependency[Any] = providers.Dependency()
    unit_of_work_factory: providers.Dependency[Any] = providers.Dependency()
    repository_factory: providers.Dependency[Any] = providers.Dependency()
    event_bus: providers.Dependency[Any] = providers.Dependency()
    permission: providers.Dependency[Any] = providers.Dependency()
    cache: providers.Dependency[Any] = providers.Dependency()
    job_queue: providers.Dependency[Any] = providers.Dependency()
    storage: providers.Dependency[Any] = providers.Dependency()


def build_container(settings: Settings) -> Container:
    """A container holding ``settings`` (also readable as ``container.config``)."""
    container = Container()
    container.settings.override(providers.Object(settings))
    container.config.from_dict(settings.model_dump())
    return container


# ---------------------------------------------------------------- resolving adapters
def load_object(reference: str) -> Any:
    """Import ``"package.module:attr.path"`` and return the attribute."""
    module_name, sep, attr_path = reference.partition(":")
    if not sep or not module_name or not attr_path:
        raise ConfigurationError(
            f"Invalid object reference {reference!r}: expected 'module:attribute'",
            reference=reference,
        )
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(
            f"Cannot import module {module_name!r} for {reference!r}: {exc}", reference=reference
        ) from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigurationError(
                f"Module {module_name!r} has no attribute {attr_path!r} (from {reference!r})",
                reference=reference,
            ) from None
    return obj


def adapter_entry_points(port: str) -> list[EntryPoint]:
    """Entry points advertised for ``port`` in ``framework_m.adapters.<port>``, one per target."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for ep in entry_points(group=ADAPTERS_GROUP_PREFIX + port):
        if ep.value not in seen:
            seen.add(ep.value)
            found.append(ep)
    return found


def resolve_adapter(
    port: str, settings: Settings, default: AdapterFactory | str | None = None
) -> AdapterFactory | None:
    """The adapter factory for ``port``: explicit config > entry point > ``default``.

    Among several entry points, one from a distribution other than ``framework-m-standard``
    wins (a third-party package overrides the standard adapter); more than one such
    candidate is a :class:`ConfigurationError`.
    """
    configured = settings.adapters.get(port)
    if configured is not None:
        return _as_factory(load_object(configured), configured)
    candidates = adapter_entry_points(port)
    if len(candidates) > 1:
        candidates = [ep for ep in candidates if not _is_standard(ep)] or candidates
    if len(candidates) > 1:
        names = ", ".join(f"{_describe(ep)}" for ep in candidates)
        raise ConfigurationError(
            f"Several adapters are installed for port {port!r}: {names}. "
            f"Choose one with adapters.{port} = 'module:attr' in the settings.",
            port=port,
            candidates=[ep.value for ep in candidates],
        )
    if candidates:
        ep = candidates[0]
        try:
            loaded = ep.load()
        except Exception as exc:
            raise ConfigurationError(
                f"Cannot load adapter {_describe(ep)} for port {port!r}: {exc}", port=port
            ) from exc
        return _as_factory(loaded, ep.value)
    if isinstance(default, str):
        return _as_factory(load_object(default), default)
    return default


def _as_factory(obj: Any, reference: str) -> AdapterFactory:
    if not callable(obj):
        raise ConfigurationError(
            f"Adapter {reference!r} is not a class or factory", reference=reference
        )
    factory: AdapterFactory = obj
    return factory


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_standard(ep: EntryPoint) -> bool:
    dist = ep.dist
    return dist is not None and _normalize(dist.name) == STANDARD_DISTRIBUTION


def _describe(ep: EntryPoint) -> str:
    origin = f" from {ep.dist.name}" if ep.dist is not None else ""
    return f"{ep.name} = {ep.value}{origin}"


# ---------------------------------------------------------------- binding
def _provider(container: Container, port: str) -> providers.Provider[Any]:
    attr = PORTS.get(port, port)
    provider = getattr(container, attr, None)
    if not isinstance(provider, providers.Provider):
        raise ConfigurationError(
            f"Unknown port {port!r}; known ports: {', '.join(sorted(PORTS))}", port=port
        )
    return provider


def bind_adapter(
    container: Container, port: str, factory: AdapterFactory, *args: Any, **kwargs: Any
) -> None:
    """Serve ``port`` with one instance built lazily by ``factory(*args, **kwargs)``."""
    _provider(container, port).override(providers.Singleton(factory, *args, **kwargs))


def bind_instance(container: Container, port: str, instance: Any) -> None:
    """Serve ``port`` with an instance that already exists."""
    _provider(container, port).override(providers.Object(instance))


@contextmanager
def override(container: Container, port: str, value: Any) -> Iterator[Any]:
    """Serve ``port`` with ``value`` inside the block (for tests), then restore the binding."""
    provider = _provider(container, port)
    with provider.override(providers.Object(value)):
        yield value


__all__ = [
    "PORTS",
    "AdapterFactory",
    "Container",
    "adapter_entry_points",
    "bind_adapter",
    "bind_instance",
    "build_container",
    "load_object",
    "override",
    "resolve_adapter",
]

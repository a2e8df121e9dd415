"""Adapter resolution (config > entry point > default), binding and test overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import errors, providers

from framework_m_core.container import (
    PORTS,
    Container,
    bind_adapter,
    bind_instance,
    build_container,
    load_object,
    override,
    resolve_adapter,
)
from framework_m_core.exceptions import ConfigurationError
from framework_m_core.registry import MetaRegistry
from framework_m_core.settings import Settings


class StandardAdapter:
    def __init__(self, label: str = "standard") -> None:
        self.label = label


class MxAdapter:
    pass


class OtherMxAdapter:
    pass


class ConfiguredAdapter:
    pass


class DefaultAdapter:
    pass


NOT_CALLABLE = 42


def ref(obj: object) -> str:
    return f"{__name__}:{obj.__qualname__}"  # type: ignore[attr-defined]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install fake distributions (dist-info folders) on sys.path; returns an installer."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(dist: str, group: str, **entries: str) -> None:
        info = tmp_path / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
        (info / "entry_points.txt").write_text(f"[{group}]\n{lines}")

    return install


PORT = "fm_test_port"
GROUP = f"framework_m.adapters.{PORT}"


def test_default_when_nothing_is_configured_or_installed() -> None:
    settings = Settings()
    assert resolve_adapter(PORT, settings, default=DefaultAdapter) is DefaultAdapter
    assert resolve_adapter(PORT, settings, default=ref(DefaultAdapter)) is DefaultAdapter
    assert resolve_adapter(PORT, settings) is None


def test_entry_point_beats_default(site) -> None:
    site("framework-m-standard", GROUP, std=ref(StandardAdapter))
    assert resolve_adapter(PORT, Settings(), default=DefaultAdapter) is StandardAdapter


def test_explicit_config_beats_entry_point(site) -> None:
    site("framework-m-standard", GROUP, std=ref(StandardAdapter))
    site("acme-mx", GROUP, mx=ref(MxAdapter))
    settings = Settings(adapters={PORT: ref(ConfiguredAdapter)})
    assert resolve_adapter(PORT, settings, default=DefaultAdapter) is ConfiguredAdapter


def test_third_party_adapter_overrides_standard(site) -> None:
    site("framework-m-standard", GROUP, std=ref(StandardAdapter))
    site("acme-mx", GROUP, mx=ref(MxAdapter))
    assert resolve_adapter(PORT, Settings()) is MxAdapter


def test_two_third_party_adapters_are_ambiguous(site) -> None:
    site("framework-m-standard", GROUP, std=ref(StandardAdapter))
    site("acme-mx", GROUP, mx=ref(MxAdapter))
    site("other-mx", GROUP, other=ref(OtherMxAdapter))
    with pytest.raises(ConfigurationError) as info:
        resolve_adapter(PORT, Settings())
    message = str(info.value)
    assert ref(MxAdapter) in message
    assert ref(OtherMxAdapter) in message
    assert ref(StandardAdapter) not in message
    assert info.value.context["port"] == PORT


def test_config_resolves_the_ambiguity(site) -> None:
    site("acme-mx", GROUP, mx=ref(MxAdapter))
    site("other-mx", GROUP, other=ref(OtherMxAdapter))
    settings = Settings(adapters={PORT: ref(OtherMxAdapter)})
    assert resolve_adapter(PORT, settings) is OtherMxAdapter


def test_broken_entry_point_is_a_configuration_error(site) -> None:
    site("acme-mx", GROUP, mx="fm_no_such_module_anywhere:Adapter")
    with pytest.raises(ConfigurationError, match="fm_no_such_module_anywhere"):
        resolve_adapter(PORT, Settings())


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [
        ("no_colon_here", "expected 'module:attribute'"),
        ("fm_no_such_module_anywhere:thing", "Cannot import module"),
        (f"{__name__}:Missing", "has no attribute 'Missing'"),
    ],
)
def test_load_object_errors(reference: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        load_object(reference)


def test_load_object_follows_dotted_attributes() -> None:
    assert load_object(f"{__name__}:StandardAdapter.__init__") is StandardAdapter.__init__


def test_configured_adapter_must_be_callable() -> None:
    settings = Settings(adapters={PORT: f"{__name__}:NOT_CALLABLE"})
    with pytest.raises(ConfigurationError, match="not a class or factory"):
        resolve_adapter(PORT, settings)


def test_container_holds_settings_config_and_registry() -> None:
    settings = Settings(environment="test")
    container = build_container(settings)
    assert container.settings() is settings
    assert container.config.environment() == "test"
    registry = container.meta_registry()
    assert isinstance(registry, MetaRegistry)
    assert container.meta_registry() is registry


def test_every_port_has_a_provider() -> None:
    container = Container()
    for attr in PORTS.values():
        assert isinstance(getattr(container, attr), providers.Dependency)


def test_unbound_port_raises() -> None:
    container = build_container(Settings())
    with pytest.raises(errors.Error):
        container.event_bus()


def test_bind_adapter_builds_one_instance_lazily() -> None:
    container = build_container(Settings())
    bind_adapter(container, "repository", StandardAdapter, label="bound")
    first = container.repository_factory()
    assert isinstance(first, StandardAdapter)
    assert first.label == "bound"
    assert container.repository_factory() is first


def test_bind_instance_and_unknown_port() -> None:
    container = build_container(Settings())
    instance = MxAdapter()
    bind_instance(container, "cache", instance)
    assert container.cache() is instance
    with pytest.raises(ConfigurationError, match="Unknown port 'nope'"):
        bind_instance(container, "nope", instance)


def test_override_restores_the_bound_adapter() -> None:
    container = build_container(Settings())
    bind_adapter(container, "event_bus", StandardAdapter)
    real = container.event_bus()
    fake = MxAdapter()
    with override(container, "event_bus", fake) as value:
        assert value is fake
        assert container.event_bus() is fake
    assert container.event_bus() is real


def test_provider_override_and_reset_for_tests() -> None:
    container = build_container(Settings())
    fake = MxAdapter()
    container.storage.override(providers.Object(fake))
    assert container.storage() is fake
    container.storage.reset_override()
    with pytest.raises(errors.Error):
        container.storage()

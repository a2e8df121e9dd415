"""Bootstrap port: the ordered steps that start and stop an application.

Steps come from the ``framework_m.bootstrap`` entry-point group. Another package replaces a
step by advertising one with the same ``name`` and a higher ``priority``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from framework_m_core.settings import Settings

if TYPE_CHECKING:
    from framework_m_core.container import Container


@dataclass(slots=True)
class BootstrapContext:
    """What every step sees: the settings, the DI container and values steps hand on."""

    settings: Settings
    container: Container
    state: dict[str, Any] = field(default_factory=dict)
    """Values one step leaves for later steps (engines, clients), keyed by a documented name."""


@runtime_checkable
class BootstrapStep(Protocol):
    """One startup step, run in ``order`` and shut down in reverse."""

    name: str
    """Unique step name; a step with the same name and a higher priority replaces this one."""
    order: int
    """Position in the startup sequence (lower runs first)."""
    priority: int
    """Which of two steps with the same name wins (higher wins)."""

    async def run(self, context: BootstrapContext) -> None:
        """Start this step's part of the application."""
        ...

    async def shutdown(self, context: BootstrapContext) -> None:
        """Release what ``run`` acquired; called in reverse order at stop."""
        ...


__all__ = ["BootstrapContext", "BootstrapStep"]

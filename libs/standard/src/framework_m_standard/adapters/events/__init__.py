"""Event bus adapters: ``memory`` (in-process, the default) and, later, NATS JetStream."""

from framework_m_standard.adapters.events.memory import InMemoryEventBus

__all__ = ["InMemoryEventBus"]

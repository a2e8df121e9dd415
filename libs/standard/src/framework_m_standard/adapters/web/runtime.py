"""What request handlers need, built once at startup and kept on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from framework_m_core.exceptions import BootstrapError
from framework_m_core.registry import MetaRegistry
from framework_m_core.rpc import RpcRegistry
from framework_m_core.services.documents import DocumentService
from framework_m_core.services.sharing import SharingService
from framework_m_core.settings import Settings

STATE_KEY = "framework_m"


@dataclass
class WebRuntime:
    settings: Settings
    registry: MetaRegistry
    documents: DocumentService
    sharing: SharingService
    auth: Any
    """``AuthComponents`` of the auth adapter: chain, service, identity, sessions, api keys."""
    rpc: RpcRegistry


def get_runtime(request: Request[Any, Any, Any]) -> WebRuntime:
    runtime = request.app.state.get(STATE_KEY)
    if runtime is None:
        raise BootstrapError("The application has not finished starting")
    assert isinstance(runtime, WebRuntime)
    return runtime

"""``@whitelist``, ``@rpc``, the RPC registry and argument binding from signatures."""

from __future__ import annotations

import sys
import types

import pytest

from framework_m_core.exceptions import ValidationError
from framework_m_core.rpc import (
    RpcContext,
    RpcRegistry,
    bind_arguments,
    get_rpc_options,
    get_whitelist_options,
    is_rpc_function,
    is_whitelisted,
    rpc,
    rpc_path,
    whitelist,
)


def test_whitelist_marks_methods_with_their_options() -> None:
    class Controller:
        @whitelist
        def plain(self) -> None: ...

        @whitelist(permission="write", roles=["Manager"])
        def guarded(self) -> None: ...

        @whitelist
        @staticmethod
        def static(n: int) -> int:
            return n

        def hidden(self) -> None: ...

    assert is_whitelisted(Controller.plain)
    options = get_whitelist_options(Controller.guarded)
    assert options is not None
    assert (options.permission, options.roles, options.allow_guest) == (
        "write",
        ("Manager",),
        False,
    )
    assert is_whitelisted(Controller.__dict__["static"])
    assert not is_whitelisted(Controller.hidden)


def test_rpc_checks_its_permission_string() -> None:
    with pytest.raises(ValueError, match="DocType:action"):
        rpc(permission="read")

    @rpc(permission="Invoice:read", allow_guest=True)
    def report() -> None: ...

    options = get_rpc_options(report)
    assert options is not None
    assert options.permission == "Invoice:read"
    assert options.allow_guest


def test_registry_discovers_rpc_functions_of_loaded_packages() -> None:
    package = types.ModuleType("rpc_demo_pkg")
    package.__path__ = []
    module = types.ModuleType("rpc_demo_pkg.api")

    def exposed(a: int) -> int:
        return a

    def not_exposed() -> None: ...

    exposed.__module__ = not_exposed.__module__ = "rpc_demo_pkg.api"
    exposed.__qualname__ = "exposed"
    module.exposed = rpc(exposed)  # type: ignore[attr-defined]
    module.not_exposed = not_exposed  # type: ignore[attr-defined]
    sys.modules["rpc_demo_pkg"], sys.modules["rpc_demo_pkg.api"] = package, module
    try:
        registry = RpcRegistry()
        registry.discover(["rpc_demo_pkg", "missing_pkg_without_api"])
        assert registry.paths() == ["rpc_demo_pkg.api.exposed"]
        assert registry.get("rpc_demo_pkg.api.exposed") is exposed
        assert registry.get("rpc_demo_pkg.api.not_exposed") is None
        assert rpc_path(exposed) == "rpc_demo_pkg.api.exposed"
        with pytest.raises(ValueError, match="not decorated"):
            registry.register(not_exposed)
    finally:
        del sys.modules["rpc_demo_pkg"], sys.modules["rpc_demo_pkg.api"]


def test_arguments_are_validated_from_the_signature() -> None:
    @rpc
    def transfer(ctx: RpcContext, amount: int, note: str = "", *rest: int) -> None: ...

    context = RpcContext(user=None, documents=None)  # type: ignore[arg-type]
    kwargs = bind_arguments(transfer, {"amount": "5"}, context)
    assert kwargs == {"amount": 5, "note": "", "ctx": context}
    assert is_rpc_function(transfer)
    for bad in ({"amount": "five"}, {}, {"amount": 1, "other": 2}, [1], "x"):
        with pytest.raises(ValidationError):
            bind_arguments(transfer, bad, context)
    assert bind_arguments(lambda: None, None, None) == {}

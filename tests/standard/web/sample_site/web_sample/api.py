"""RPC functions of the HTTP tests."""

from __future__ import annotations

from framework_m import RpcContext, rpc


@rpc
def add(a: int, b: int = 0) -> int:
    return a + b


@rpc(allow_guest=True)
def echo(message: str) -> dict[str, str]:
    return {"message": message}


@rpc(permission="Order:read")
async def whoami(ctx: RpcContext) -> str:
    return ctx.user.id


@rpc(roles=["HR"])
def payroll() -> str:
    return "payroll"


def not_rpc() -> str:
    return "hidden"

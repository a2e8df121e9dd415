"""The ordered chain of strategies: the first that recognises a request decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from framework_m_core.exceptions import ConfigurationError
from framework_m_core.interfaces.authentication import (
    Authenticated,
    AuthenticationProtocol,
    AuthRequest,
)
from framework_m_core.settings import Settings


class AuthChain:
    """Asks each strategy in turn; bad credentials are an error, never a fall-through."""

    def __init__(self, strategies: Sequence[AuthenticationProtocol]) -> None:
        self.strategies = tuple(strategies)

    @property
    def names(self) -> tuple[str, ...]:
        """The strategies' names, in the order they are asked."""
        return tuple(strategy.name for strategy in self.strategies)

    async def authenticate(self, request: AuthRequest) -> Authenticated | None:
        """The principal, or None when the request carries no credentials anyone recognises.

        The first strategy that supports the request decides: its ``AuthenticationError``
        (or ``RateLimitedError``) propagates instead of trying the next one, so a wrong
        password can never fall through to a weaker strategy.
        """
        for strategy in self.strategies:
            if strategy.supports(request):
                return await strategy.authenticate(request)
        return None


def build_auth_chain(
    settings: Settings, *, strategies: Mapping[str, AuthenticationProtocol]
) -> AuthChain:
    """The strategies named in ``auth.chain``, in that order."""
    names = settings.auth.chain
    unknown = [name for name in names if name not in strategies]
    if unknown:
        raise ConfigurationError(
            f"auth.chain names unknown strategies {unknown}; known: {sorted(strategies)}",
            setting="auth.chain",
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigurationError(
            f"auth.chain names {repeated} more than once", setting="auth.chain"
        )
    return AuthChain([strategies[name] for name in names])

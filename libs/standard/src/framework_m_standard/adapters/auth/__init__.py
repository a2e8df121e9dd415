"""Local authentication: argon2id passwords, JWTs, cookie sessions, API keys, rate limits.

``build_auth`` (in ``service``) wires every piece from settings and the repository ports;
the strategies and the chain implement ``AuthenticationProtocol`` without any web framework.
"""

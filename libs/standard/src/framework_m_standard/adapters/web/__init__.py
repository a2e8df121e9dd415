"""The HTTP adapter: a Litestar application serving every DocType, RPC, metadata and auth."""

"""Application services: the use cases every entry point (HTTP, RPC, jobs, CLI) goes through."""

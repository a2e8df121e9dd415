"""Adapters binding Framework M ports to real technology."""

"""A tiny app whose documents the webhook tests deliver."""

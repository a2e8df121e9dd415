"""A test app with background jobs (no DocTypes)."""

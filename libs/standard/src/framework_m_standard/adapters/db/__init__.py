"""SQL database adapters (SQLAlchemy Core, SQLite and PostgreSQL)."""

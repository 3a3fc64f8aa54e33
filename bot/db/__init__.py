"""Persistence: SQLAlchemy models, the engine, the unit of work and repositories. No Discord here."""

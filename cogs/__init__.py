"""Discord command groups: thin adapters over the core in ``bot``."""

"""Where the relational steps of a study run: the embedded DuckDB (default)."""

"""Where the relational steps of a study run: the embedded DuckDB (default) or Apache Spark
(``get_engine`` in :mod:`leaderlens.engines.base`; the shared SQL in
:mod:`leaderlens.engines.relational`)."""

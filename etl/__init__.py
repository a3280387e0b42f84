"""EduSight ETL: generate demo exports, build the DuckDB database, ingest live exam events."""

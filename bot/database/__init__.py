"""PostgreSQL: the connection, status, integrity checks and backups."""

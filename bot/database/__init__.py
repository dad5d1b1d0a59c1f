"""PostgreSQL health: the connection, `/db status` and the integrity checks."""

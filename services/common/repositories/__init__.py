"""Database queries, one module per table; nobody else builds queries."""

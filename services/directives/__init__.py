"""The directive registry: higher-level documents that drafts are checked against."""

"""Ingest service: file bytes -> ParsedDocument (text, offsets, structure, metadata, citations)."""

"""Shared pieces of the three services: settings, store, job runner, errors."""

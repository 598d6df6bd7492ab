"""Agencies and API keys: who issues documents, and who may call the API."""

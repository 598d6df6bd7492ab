"""Gateway service: the FastAPI app (API, auth, uploads, results)."""

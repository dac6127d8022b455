"""The trainer job service: an HTTP API (FastAPI on uvicorn) that queues customization jobs,
persists them in SQLite, runs them out of the request path (local worker threads or a Ray cluster)
and serves the resulting models in the providers' own wire formats (``chameleon_trainer.serving``).

The HTTP contract is documented in ``README.md`` next to this file and at ``/openapi.json``.
"""

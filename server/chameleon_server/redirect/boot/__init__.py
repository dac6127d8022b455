"""Startup hook directory put on PYTHONPATH by `chameleon run` (see sitecustomize.py)."""

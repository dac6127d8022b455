"""Datasets the trainer ships with (real data available offline) and the adapters users bring."""

"""Static analysis of Python applications into decision abstracts."""

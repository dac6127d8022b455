"""Apps the `chameleon demo` runs (copied into a scratch workspace; never imported)."""

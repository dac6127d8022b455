"""Redirecting an unmodified application to its customized model (`.chameleon/`, `chameleon run`)."""

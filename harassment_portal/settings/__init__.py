"""Settings per environment: base, development, test, production."""

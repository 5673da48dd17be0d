"""aemetrics: measure how well account executives keep their client-service standards."""

__version__ = "0.1.0"

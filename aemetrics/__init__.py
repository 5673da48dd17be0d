"""aemetrics: measure how well account executives keep their client-service standards."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # `aemetrics.connect(db)` opens the analyst API; imported lazily so the CLI starts fast.
    if name == "connect":
        from aemetrics.api import connect

        return connect
    raise AttributeError(f"module 'aemetrics' has no attribute {name!r}")

"""The project's Prefect flows, as entry points for `prefect deploy`, `python -m flows.<name>`
and a Prefect worker. The flow definitions live in `aemetrics.flows` (so the `aemetrics` CLI
runs them without importing this folder: no aemetrics -> flows -> aemetrics round trip); the
run policy they call is `aemetrics.pipeline` (docs/architecture.md)."""

from aemetrics.flows import ingest_flow, publish_flow, weekly_flow

__all__ = ["ingest_flow", "publish_flow", "weekly_flow"]

"""Prefect flow `ingest_flow` (defined in aemetrics.flows): `python -m flows.ingest EXPORTS DB [CONFIG]`,
or `prefect deploy flows/ingest.py:ingest_flow`."""

import sys

from aemetrics.flows import ingest_flow

__all__ = ["ingest_flow"]

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m flows.ingest EXPORTS DB [CONFIG]")
    config = sys.argv[3] if len(sys.argv) > 3 else None
    print(ingest_flow(sys.argv[1], sys.argv[2], config))

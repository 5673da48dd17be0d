"""Prefect flow `publish_flow` (defined in aemetrics.flows): `python -m flows.publish DB OUT [CONFIG [LANG]]`,
or `prefect deploy flows/publish.py:publish_flow`."""

import sys

from aemetrics.flows import publish_flow

__all__ = ["publish_flow"]

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m flows.publish DB OUT [CONFIG [LANG]]")
    config, lang = (sys.argv[3:] + [None, None])[:2]
    print(publish_flow(sys.argv[1], sys.argv[2], config, lang))

"""Prefect flow `weekly_flow` (defined in aemetrics.flows): `python -m flows.weekly EXPORTS DB [AS_OF [CONFIG [SITE]]]`,
or `prefect deploy flows/weekly.py:weekly_flow`."""

import sys

from aemetrics.flows import weekly_flow

__all__ = ["weekly_flow"]

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m flows.weekly EXPORTS DB [AS_OF [CONFIG [SITE]]]")
    as_of, config, site = (sys.argv[3:] + [None, None, None])[:3]
    print(weekly_flow(sys.argv[1], sys.argv[2], as_of, config, site))

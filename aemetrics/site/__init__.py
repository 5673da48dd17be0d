"""The published static site (Plotly + plain HTML, works offline) built from the marts."""

from aemetrics.site.publish import SiteReport, publish_site

__all__ = ["SiteReport", "publish_site"]

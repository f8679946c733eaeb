"""Fee standards and calendars are set per region and inherited downwards."""

from govstore.catalog.constants import NATIONAL_REGION_CODE
from govstore.stores.models import Region


def lineage_codes(region: Region) -> list[str]:
    """The region's code, its parents' codes nearest first, and the national code last,
    even when a region's chain of parents stops short of it."""
    codes = [node.code for node in region.lineage()]
    if NATIONAL_REGION_CODE not in codes:
        codes.append(NATIONAL_REGION_CODE)
    return codes

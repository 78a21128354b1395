"""Small-number suppression for published statistics, so that no one can be identified."""

THRESHOLD = 5
SUPPRESSED = "<5"


def is_small(n: int) -> bool:
    """Counts of 1 to 4 are suppressed; zero identifies nobody and is shown."""
    return 0 < n < THRESHOLD


def count(n: int) -> str:
    return SUPPRESSED if is_small(n) else f"{n:,}"

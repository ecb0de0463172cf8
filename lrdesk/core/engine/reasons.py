"""Which test decided a run's verdict, by name and in words a student reads in a tooltip.

``Batch.criterion`` holds one of these codes per run (``NONE`` while it runs).
"""

from __future__ import annotations

CRITERIA = ("flat", "gap", "blow-up", "climbing", "improving", "stuck")
FLAT, GAP, BLOW_UP, CLIMBING, IMPROVING, STUCK = range(len(CRITERIA))
NONE = -1

#: a run whose distance to the known minimum's value fell below this fraction of the distance
#: it started at (nine orders of magnitude closer) has arrived, even if the gradient is above
#: the tolerance: narrow valleys keep a gradient of 1e-5 at a loss of 1e-9
GAP_CLOSED = 1e-9

CRITERION_WORDS: dict[str, str] = {
    "flat": "Decided by the slope: the gradient and the last step both fell below the tolerance.",
    "gap": "Decided by the loss: by the last step the gap to the lowest possible loss had "
    "shrunk more than a billion times from where the run started, so the run sits at the "
    "bottom even though the slope there is not quite below the tolerance.",
    "blow-up": "Decided by the loss: it became too large to compute, or moved more than "
    "1,000 times its starting distance from the minimum.",
    "climbing": "Decided at the last step: the loss was above its start and still rising.",
    "improving": "Decided at the last step: the loss was still going down.",
    "stuck": "Decided at the last step: the loss stayed bounded but stopped improving.",
}


def criterion_name(code: int) -> str:
    """The criterion's name for a code from ``Batch.criterion`` ('' while the run goes on)."""
    return CRITERIA[code] if 0 <= code < len(CRITERIA) else ""

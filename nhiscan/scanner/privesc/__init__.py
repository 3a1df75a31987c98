"""AWS privilege escalation: the methods as a data table (:mod:`.methods`) and the engine that
finds which principals can use which (:func:`find_escalations`)."""

from nhiscan.scanner.privesc.engine import Escalation, Step, find_escalations
from nhiscan.scanner.privesc.method import (
    AppliesTo,
    Family,
    Method,
    Need,
    On,
    Requires,
    Target,
)
from nhiscan.scanner.privesc.methods import BY_NAME, METHODS

__all__ = [
    "BY_NAME",
    "METHODS",
    "AppliesTo",
    "Escalation",
    "Family",
    "Method",
    "Need",
    "On",
    "Requires",
    "Step",
    "Target",
    "find_escalations",
]

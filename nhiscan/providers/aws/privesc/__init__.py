"""AWS privilege escalation: the methods as a data table (:mod:`.methods`) and the engine that
finds which principals can use which (:func:`find_escalations`)."""

from nhiscan.providers.aws.privesc.engine import find_escalations
from nhiscan.providers.aws.privesc.method import (
    AppliesTo,
    Method,
    Need,
    On,
    Requires,
    Target,
)
from nhiscan.providers.aws.privesc.methods import BY_NAME, METHODS
from nhiscan.scanner.escalation import Escalation, Family, Step

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

"""Gap analysis: for each agent and each identity it runs as, what is granted against what its
workflow needs. Pure: the estate, its reach graph (and the evaluator it was built with), the
providers (``ProviderSet``: each identity's cloud reads its own policies and documents) and the
compiled plans in; ``AgentGap`` records out.

- *Granted* (``granted.py``) is every (action, resource) the identity's provider says its
  policies and the resource policies naming it allow (``ProviderAnalysis.grants``), as the
  evaluator sees it, plus the same for every identity it can act as (``via``).
- *Needed* is the agent's plan bound to the identity by its provider (implicit accounts,
  projects or subscriptions filled in), and acting as the agent's other identities it reaches
  (the declared chain).
- ``classify.py``: *excess* (granted actions no step needs), *excess scope* (a needed action
  granted on more than is needed: ``*`` where one bucket is needed), and grants that hold only
  under conditions nhiscan cannot decide, listed apart. *Missing*: needs the evaluator does not
  allow for any principal of the chain, with the steps that need them and why. *Not judged*
  (``unjudged``): needs whose grants the snapshot cannot hold (``ProviderAnalysis.unjudged``:
  Azure Cosmos DB's data plane), with why; neither met nor missing.
- ``documents.py``: the least-privilege and least-trust documents proposed for each identity,
  rendered by its provider's agent vocabulary from the needs bound to it.
- The exposure score weighs the excess (``score.py``).
"""

from nhiscan.scanner.gaps.analyzer import GapAnalyzer
from nhiscan.scanner.gaps.classify import classify, covers
from nhiscan.scanner.gaps.model import (
    AgentGap,
    EscalationItem,
    GrantItem,
    IdentityGap,
    MissingItem,
)

__all__ = [
    "AgentGap",
    "EscalationItem",
    "GapAnalyzer",
    "GrantItem",
    "IdentityGap",
    "MissingItem",
    "classify",
    "covers",
]

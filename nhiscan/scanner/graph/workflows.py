"""The graph's CI workflows (issue #20): a node for each scanned repository and each workflow
step that requests cloud credentials, a ``can_act_as`` hop from the repository to its step
(whoever can change the repository runs the workflow), and one from the step to each identity
whose keyless trust admits a token the step may present (``scanner/workflows.py``). A path
then reads repository -> workflow file -> role -> what the role reaches. A step whose workflow
does not grant ``id-token: write`` keeps its hop (the record says so): whoever can change the
repository can add the permission, as they can add the step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust
from nhiscan.scanner.graph.model import EdgeKind, Hop, NodeKind
from nhiscan.scanner.model import WorkflowCredential
from nhiscan.scanner.workflows import join

REPOSITORY_PREFIX = "repository:"
WORKFLOW_PREFIX = "workflow:"
RUNS = "runs-workflow"  # the method of the repository's hop to its workflow step
OIDC = "oidc-token"  # the method of the step's hop to the identity its token becomes


def repository_node(step: WorkflowCredential) -> str:
    return REPOSITORY_PREFIX + (f"github.com/{step.slug}" if step.slug else step.repository)


def workflow_node(step: WorkflowCredential) -> str:
    return WORKFLOW_PREFIX + step.id


def add_workflow_nodes(graph: nx.MultiDiGraph[str], estate: Estate) -> None:
    for step in estate.snapshot.workflows:
        repository = repository_node(step)
        if repository not in graph:
            graph.add_node(repository, kind=NodeKind.EXTERNAL.value,
                           label=repository[len(REPOSITORY_PREFIX):], account=None,
                           type="repository")  # fmt: skip
        graph.add_node(workflow_node(step), kind=NodeKind.EXTERNAL.value,
                       label=f"{step.path}:{step.line} (job {step.job})", account=None,
                       type="workflow")  # fmt: skip


def workflow_hops(estate: Estate, trusts: Iterable[FederatedTrust]) -> Iterator[Hop]:
    for step in estate.snapshot.workflows:
        yield Hop(source=repository_node(step), target=workflow_node(step),
                  edge=EdgeKind.CAN_ACT_AS, method=RUNS)  # fmt: skip
    seen: set[tuple[str, str]] = set()
    for joined in join(estate, trusts):
        key = (joined.step.id, joined.trust.target)
        if joined.admitted is False or key in seen or joined.trust.target not in estate.identities:
            continue
        seen.add(key)
        yield Hop(source=workflow_node(joined.step), target=joined.trust.target,
                  edge=EdgeKind.CAN_ACT_AS, method=OIDC,
                  conditional=joined.admitted is None)  # fmt: skip

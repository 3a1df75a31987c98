"""The reach graph (networkx): what each identity can reach, directly and through chains."""

from nhiscan.scanner.graph.build import build_graph
from nhiscan.scanner.graph.model import EdgeKind, Hop, NodeKind, admin_node, path_json
from nhiscan.scanner.graph.reach import ReachGraph

__all__ = ["EdgeKind", "Hop", "NodeKind", "ReachGraph", "admin_node", "build_graph", "path_json"]

"""What the export files held, merged, and the ``not-in-export`` gaps: what a Cloud Asset
export cannot hold (last use, deny policies, group members, a disabled key's reason) and the
parts a file lacks (a resource export has no policies, search results no accounts or keys).
Each gap is yielded once per scope and operation and names the files.

``export_gaps=False`` is the live asset path (``connectors/gcp/assets.py``): its caller reads
last use, deny policies and keys' disable reasons from the APIs, and it always lists both
resources and policies, so only the gap it cannot fill stays (an asset the answer does not
place). Group memberships are read by neither live path, the walk nor this one: a limitation
the README states for live collection, the same whichever path ran."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from nhiscan.connectors.gcp.offline.hierarchy import Hierarchy, placed, short_name
from nhiscan.connectors.gcp.offline.shape import Asset
from nhiscan.connectors.gcp.offline.types import (
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEY,
)
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

DISABLE_REASON = "iam.projects.serviceAccounts.keys.list#disableReason"


@dataclass(slots=True)
class Exports:
    """What the files held, merged."""

    assets: dict[str, Asset] = field(default_factory=dict)
    files_of: dict[str, list[str]] = field(default_factory=dict)  # asset name -> files
    search_files: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class Gaps:
    """The not-in-export gaps, once per scope and operation, naming the files."""

    def __init__(self, read: Exports, hierarchy: Hierarchy, *, export_gaps: bool = True) -> None:
        self._read = read
        self._hierarchy = hierarchy
        self._export_gaps = export_gaps
        self._gaps: dict[tuple[str, str], tuple[str, list[str]]] = {}
        self._unplaced: list[CollectionGap] = []
        if export_gaps:
            self._export_only()

    def _export_only(self) -> None:
        """What no export holds (last use, deny policies) and the parts a file lacks."""
        read, hierarchy = self._read, self._hierarchy
        for name, asset in read.assets.items():
            if not placed(asset, hierarchy):
                continue
            scope = self.scope_of(asset)
            # Last use is per project (the account a key's or service account's record names),
            # so that a rule asking about one key finds it; accounts and keys live in projects.
            project = hierarchy.project_of(asset)
            for path in read.files_of[name]:
                if project:
                    self._add(
                        project,
                        "gcp-assets:last-use",
                        path,
                        "no last use of service accounts or keys (Policy Analyzer activity)",
                    )
                self._add(scope, "gcp-assets:deny-policies", path, "no IAM deny policies")
        with_data = {self.scope_of(a) for a in read.assets.values() if a.data is not None}
        with_policy = {self.scope_of(a) for a in read.assets.values() if a.iam_policy is not None}
        for name, asset in read.assets.items():
            scope = self.scope_of(asset)
            for path in read.files_of[name]:
                if scope not in with_data:
                    for kind in (SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY):
                        self._add(
                            scope,
                            f"gcp-assets:{kind}",
                            path,
                            f"no {kind} assets (export with --content-type=resource)",
                        )
                if scope not in with_policy:
                    self._add(
                        scope,
                        "gcp-assets:iam-policies",
                        path,
                        "no allow policies (export with --content-type=iam-policy)",
                    )

    def scope_of(self, asset: Asset) -> str:
        """The root of the hierarchy the asset sits in: its organization, else its project."""
        project = self._hierarchy.project_of(asset)
        parts = short_name(asset.name).split("/")
        if asset.ancestors:
            node = asset.ancestors[0]
        elif parts[0] in ("organizations", "folders") and len(parts) > 1:
            node = "/".join(parts[:2])
        else:
            node = f"projects/{project}" if project else asset.name
        root = self._hierarchy.root_of(node)
        return root.split("/", 1)[1] if root.startswith("projects/") else root

    def _add(self, scope: str, operation: str, path: str, what: str) -> None:
        entry = self._gaps.setdefault((scope, operation), (what, []))
        if path not in entry[1]:
            entry[1].append(path)

    def no_disable_reason(self, asset: Asset) -> None:
        if not self._export_gaps:
            return  # the live connector lists the keys of those accounts
        for path in self._read.files_of[asset.name]:
            self._add(
                self.scope_of(asset),
                DISABLE_REASON,
                path,
                "no disableReason for disabled keys (why a key was disabled)",
            )

    def group(self, asset: Asset) -> None:
        if not self._export_gaps:
            return  # live: the same limitation as the walk's (README "GCP live")
        for path in self._read.files_of[asset.name]:
            self._add(
                self.scope_of(asset),
                "gcp-assets:group-memberships",
                path,
                "no members of the Google groups its policies name",
            )

    def unplaced(self, asset: Asset) -> None:
        self._unplaced.append(CollectionGap(
            provider=Provider.GCP, scope=self.scope_of(asset), operation="gcp-assets:ancestors",
            reason=GapReason.NOT_IN_EXPORT, subject=asset.name,
            detail=f"{asset.where}: the export does not say which project holds this asset "
                   f"(no ancestors, no project in its name); it is not read",
        ))  # fmt: skip

    def records(self) -> Iterator[CollectionGap]:
        holder = "a Cloud Asset export" if self._export_gaps else "Cloud Asset Inventory"
        for (scope, operation), (what, paths) in self._gaps.items():
            yield CollectionGap(
                provider=Provider.GCP, scope=scope, operation=operation,
                reason=GapReason.NOT_IN_EXPORT,
                detail=f"{', '.join(paths)}: {holder} holds {what}",
            )  # fmt: skip
        yield from self._unplaced

"""What a repository-only scan imports. Start-up is a large share of a working-tree scan (a
CI step, the pre-commit hook): a module a repository scan never needs, imported at the top of
a module on its path, costs every such scan its import time, and nothing else would notice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.startup import among, imported

# Cloud SDKs (their connectors are not asked), the HTML report's templates (JSON only), the
# history store (--no-store), the cluster (no --executor), the test doubles.
NOT_NEEDED = (
    "boto3",
    "botocore",
    "azure",
    "msgraph",
    "google",
    "googleapiclient",
    "jinja2",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "dask",
    "distributed",
    "moto",
)


def test_a_repository_scan_imports_no_cloud_sdk_template_store_or_cluster(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "settings.py").write_text('PASSWORD = "hunter2-but-longer-Zq9"\n')
    out = tmp_path / "out"
    args = ["scan", "--repo", str(tree), "-o", str(out), "--format", "json"]
    args += ["--fail-on", "never", "--no-agents", "--no-store"]
    loaded, _ = imported(args)
    report = json.loads((out / "report.json").read_text())
    assert [e["path"] for e in report["exposures"]] == ["settings.py"]  # the scan did run
    assert "detect_secrets" in loaded  # the probe sees the scan's own imports
    assert among(loaded, NOT_NEEDED) == []

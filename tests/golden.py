"""The demo's report.json as a golden file: what it must stay, byte for byte, once the parts
that differ between runs of the same estate are replaced by placeholders.

What differs between two scans of the demo: the times (scan, collection, the ages moto stamps
relative to them) and the ids of the demo repository's commits (git hashes their dates). What
must not differ: everything else. The history section depends on what the store held before,
so it is left out (tests/store covers it).

Regenerate after a change that is meant to alter the report, and say why in the commit:
``python -m tests.golden REPORT.json`` (writes tests/data/golden/demo-report.json.gz).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "data" / "golden" / "demo-report.json.gz"

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# A bare day: the demo's are relative to the scan ("never seen used in the trail since <the
# window's first day>"), so the file would change every day.
_DAY = re.compile(r"(?<![0-9-])\d{4}-\d{2}-\d{2}(?![0-9])")
_SHA = re.compile(r"[0-9a-f]{40}")
_HEX = re.compile(r"\b[0-9a-f]{7,40}\b")
# The fields that hold a git object id (a commit, a repository's head, a skipped blob). Only
# these ids and their abbreviations (a title's 10 characters, an exposure node's 12) differ
# between runs; other 40-hex values, such as the GCP key ids of the demo's export, are fixed.
_SHA_FIELDS = frozenset({"commit", "head", "blob"})
# Where nhiscan is installed (the demo's agent file is named by its path): the checkout the
# golden file was written in is not the one the tests run in.
_INSTALLED = re.compile(r'/[^"\s:]*/nhiscan/connectors/')
# The demo trail's log files are named by their delivery day (CloudTrail's layout:
# .../CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<id>.json.gz),
# which is the days before the scan.
_TRAIL_DAY = re.compile(
    r"/CloudTrail/([^/]+)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail_([^_]+)_\d{8}T\d{4}Z_"
)


def normalise(report: dict[str, Any]) -> str:
    """The report as indented, key-sorted JSON with times and commit ids as placeholders."""
    report = {key: value for key, value in report.items() if key != "history"}
    text = json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False)
    text = _DATETIME.sub("<datetime>", text)
    text = _DAY.sub("<date>", text)
    shas = _git_ids(report)
    commits: dict[str, str] = {}

    def placeholder(found: re.Match[str]) -> str:
        sha = next((s for s in shas if s.startswith(found[0])), None)
        return found[0] if sha is None else commits.setdefault(sha, f"<commit-{len(commits)}>")

    text = _TRAIL_DAY.sub(r"/CloudTrail/\1/<day>/\2_CloudTrail_\3_<delivered>_", text)
    return _installed(_HEX.sub(placeholder, text)) + "\n"


def _git_ids(value: Any) -> set[str]:
    """The git object ids held in ``_SHA_FIELDS`` anywhere in ``value``."""
    if isinstance(value, dict):
        found = {v for k, v in value.items() if k in _SHA_FIELDS and isinstance(v, str)}
        return {v for v in found if _SHA.fullmatch(v)}.union(*map(_git_ids, value.values()))
    if isinstance(value, list):
        return set().union(*map(_git_ids, value))
    return set()


def _installed(text: str) -> str:
    return _INSTALLED.sub("<nhiscan>/connectors/", text)


def read_golden() -> str:
    return _installed(gzip.decompress(GOLDEN.read_bytes()).decode("utf-8"))


def write_golden(report_path: Path) -> None:
    text = normalise(json.loads(report_path.read_text(encoding="utf-8")))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__":
    write_golden(Path(sys.argv[1]))
    print(f"wrote {GOLDEN}")

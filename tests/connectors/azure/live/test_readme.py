"""The README's "Azure live" section documents the Graph permission of every operation the
connector calls (``errors.PERMISSIONS``), on the operation's own table row."""

from __future__ import annotations

from pathlib import Path

from nhiscan.connectors.azure.errors import PERMISSIONS

README = Path(__file__).resolve().parents[4] / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Azure live\n")
    return text[start : text.index("\n### ", start + 1)]


def test_every_operation_and_its_permission_are_documented() -> None:
    rows = [line for line in section().splitlines() if line.startswith("| `")]
    for operation, permission in PERMISSIONS.items():
        row = [r for r in rows if f"`{operation}`" in r]
        assert row, f"README Azure live: no row for {operation}"
        assert f"`{permission}`" in row[0], f"README Azure live: {operation} needs {permission}"


def test_the_issues_permission_list_is_documented() -> None:
    text = section()
    for permission in ("Application.Read.All", "Directory.Read.All",
                       "RoleManagement.Read.Directory", "AuditLog.Read.All"):  # fmt: skip
        assert permission in text
    assert "pip install 'nhiscan[azure]'" in text

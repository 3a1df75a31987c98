"""A stand-in for the ``az`` command in the export script's test: it answers each command the
script runs from the fixture export (``AZ_FIXTURE``), applying ``--query`` with jmespath (the
library the az CLI queries with) and printing ``--output json`` or ``tsv`` as az does. Graph
lists through ``az rest`` come a page at a time: the directory role assignments in two pages
linked by ``@odata.nextLink``, as Graph pages a large answer. An object with no file (an owner
list the fixture lacks) fails as az does on a refusal: a message on stderr, exit status 1."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import jmespath

GRAPH = "https://graph.microsoft.com/v1.0"
ROLES = f"{GRAPH}/roleManagement/directory/roleAssignments"


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def graph(root: Path, url: str) -> Any:
    if url.startswith(ROLES):
        values = json.loads((root / "directory-role-assignments.json").read_text())["value"]
        if url == ROLES:
            return {"value": values[:1], "@odata.nextLink": f"{ROLES}?$skiptoken=page2"}
        return {"value": values[1:]}
    if url == f"{GRAPH}/roleManagement/directory/roleEligibilitySchedules":
        return json.loads((root / "directory-role-eligibilities.json").read_text())
    if url == f"{GRAPH}/roleManagement/directory/roleDefinitions":
        return _file(root / "directory-role-definitions.json")
    sp = url.removeprefix(f"{GRAPH}/servicePrincipals/").removesuffix("/appRoleAssignments")
    return _file(root / "app-role-assignments" / f"{sp}.json")


def _file(path: Path) -> Any:
    if not path.is_file():
        print(f"ERROR: Forbidden ({path.name})", file=sys.stderr)
        raise SystemExit(1)
    return json.loads(path.read_text())


def answer(root: Path, args: list[str]) -> Any:
    words = " ".join(a for a in args if not a.startswith("-"))
    key = option(args, "--id")
    if args[0] == "rest":
        return graph(root, option(args, "--url") or "")
    table = {
        "account show": "account.json",
        "account list": "subscriptions.json",
        "ad app list": "applications.json",
        "ad sp list": "service-principals.json",
        "role definition list": "role-definitions.json",
        f"ad app owner list {key}": f"app-owners/{key}.json",
        f"ad sp owner list {key}": f"sp-owners/{key}.json",
        f"ad app federated-credential list {key}": f"federated-credentials/{key}.json",
        f"role assignment list {option(args, '--subscription')}": (
            f"role-assignments/{option(args, '--subscription')}.json"
        ),
    }
    for command, file in table.items():
        if words.startswith(command):
            return _file(root / file)
    if words.startswith("account management-group show"):
        return _file(root / "management-groups.json")
    print(f"fake az: no answer for {args}", file=sys.stderr)
    raise SystemExit(2)


def main(args: list[str]) -> None:
    value = answer(Path(os.environ["AZ_FIXTURE"]), args)
    query = option(args, "--query")
    if query is not None:
        value = jmespath.search(query, value)
    if option(args, "--output") == "tsv":
        for item in value if isinstance(value, list) else [value]:
            print("" if item is None else item)
    else:
        print(json.dumps(value, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])

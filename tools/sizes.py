"""Sizes against DESIGN.md: modules over ~300 lines ("grow a module into a folder") and
functions over ~40 lines ("wants splitting") in ``nhiscan/``, largest first.

Usage: python tools/sizes.py [--modules 300] [--functions 40] [ROOT]
A module's size is its line count; a function's runs from its ``def`` line to its last line
(decorators left out), methods and nested functions each counted on their own.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function in ``tree``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            end = node.end_lineno or node.lineno
            yield name, node.lineno, end - node.lineno + 1
            yield from functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")
        else:
            yield from functions(node, prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=REPO / "nhiscan")
    parser.add_argument("--modules", type=int, default=300, help="module line limit")
    parser.add_argument("--functions", type=int, default=40, help="function line limit")
    args = parser.parse_args()
    big_modules: list[tuple[int, str]] = []
    long_functions: list[tuple[int, str]] = []
    for path in sorted(args.root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(args.root.parent).as_posix()
        lines = len(source.splitlines())
        if lines > args.modules:
            big_modules.append((lines, where))
        for name, line, length in functions(ast.parse(source)):
            if length > args.functions:
                long_functions.append((length, f"{where}:{line} {name}"))
    print(f"modules over {args.modules} lines: {len(big_modules)}")
    for size, what in sorted(big_modules, key=lambda e: (-e[0], e[1])):
        print(f"  {size:5d}  {what}")
    print(f"functions over {args.functions} lines: {len(long_functions)}")
    for size, what in sorted(long_functions, key=lambda e: (-e[0], e[1])):
        print(f"  {size:5d}  {what}")


if __name__ == "__main__":
    main()

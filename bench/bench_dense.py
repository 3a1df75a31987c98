"""Benchmark: ``nhiscan scan --aws-gaad`` on the dense estate (``bench/gaad_dense.py``), then
``reach``, ``who-can``, ``path`` and ``graph export`` on the snapshot in the scan's output folder
(with the reach graph the scan stored beside it: its size, and the time to write and to read
it). Prints wall time, CPU time (user + system), peak memory and the load average of each,
even when a command runs out of time (issue #16: under 30 s and 2 GB for the scan, under 5 s
for each query, on the 2-core machine). ``--keep DIR --reuse`` times the queries again on the
scan kept in DIR (no new estate, no scan). With
``--rebuilt`` the queries run again with the stored graph moved aside: each builds the graph
from the snapshot, as before graphs were stored.

Each command runs in a child process under a wall-clock timeout (``--timeout``, default 600 s).
Peak memory is ``/usr/bin/time -v``'s "Maximum resident set size" when that program exists and
the command finished, else the largest ``VmHWM`` read from ``/proc`` while it ran (Linux), else
``resource.getrusage(RUSAGE_CHILDREN)``.

With ``--profile``, the scan runs once more in this process under cProfile (and tracemalloc
with ``--tracemalloc``, slower): time by phase (collection, provider analysis, graph build and
its parts, rules, blast radius, report writing), the top functions by own time, the graph's
edges by kind, and with tracemalloc the allocation sites holding the most memory after the
analysis.

Run: python bench/bench_dense.py [--roles N --users N --groups N --policies N --managed N]
     [--timeout S] [--keep DIR [--reuse]] [--profile [--tracemalloc]] [--no-queries]
     [--rebuilt]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIME = "/usr/bin/time"


@dataclass(frozen=True, kw_only=True)
class Figures:
    name: str
    seconds: float
    peak_mb: float | None
    cpu: float | None  # user + system seconds, when /usr/bin/time told them
    exit: int | None  # None: killed at the timeout
    tail: str


def _descendants(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (empty where /proc is missing)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc").is_dir() else []:
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    out, todo = [], [pid]
    while todo:
        one = todo.pop()
        out.append(one)
        todo += children.get(one, [])
    return out


def _hwm_mb(pids: list[int]) -> float:
    peak = 0.0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peak = max(peak, int(found.group(1)) / 1024)
    return peak


def run(name: str, argv: list[str], timeout: float) -> Figures:
    """Run ``argv`` (an nhiscan command line) in a child; its wall time and peak memory."""
    timed = Path(TIME).exists()
    command = [sys.executable, "-m", "nhiscan", *argv]
    if timed:
        command = [TIME, "-v", *command]
    # Output goes to files, not pipes: a query's answer fills a pipe long before it ends, and
    # a child blocked on a full pipe never exits while we wait for it.
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out_file, stderr=err_file, text=True,
                                 start_new_session=True)  # fmt: skip
        peak = 0.0
        code: int | None = None
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                peak = max(peak, _hwm_mb(_descendants(child.pid)))
                if time.perf_counter() - start > timeout:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
                    code = None
                    break
        seconds = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if code is not None and found:
        peak = int(found.group(1)) / 1024
    elif not peak:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    times = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err)
    cpu = sum(float(t) for t in times) if code is not None and len(times) == 2 else None
    lines = [line for line in (out + err).splitlines() if line and not line.startswith("\t")]
    return Figures(name=name, seconds=seconds, peak_mb=peak or None, cpu=cpu, exit=code,
                   tail="\n".join(lines[-3:]))  # fmt: skip


def show(figures: Figures) -> None:
    exit_ = "timeout (killed)" if figures.exit is None else f"exit {figures.exit}"
    peak = "?" if figures.peak_mb is None else f"{figures.peak_mb:.0f} MB"
    cpu = "?" if figures.cpu is None else f"{figures.cpu:.2f} s"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{figures.name:<18} {figures.seconds:8.2f} s  CPU {cpu:>8}  peak {peak:>8}  {exit_}"
          f"  (load {load:.1f})", flush=True)  # fmt: skip
    for line in figures.tail.splitlines():
        print(f"{'':<20}| {line[:150]}", flush=True)


# (phase, the function whose cumulative time it is: "path/suffix.py:function").
PHASES = [
    ("collection (read the export)", "nhiscan/app/sources.py:collect_snapshot"),
    ("provider analysis", "nhiscan/app/pipeline.py:provider_set"),
    ("graph build (all)", "nhiscan/scanner/graph/build.py:build_graph"),
    ("  can_assume hops", "nhiscan/providers/aws/graph/assume.py:assume_hops"),
    ("  escalation search", "nhiscan/providers/aws/privesc/engine.py:find_escalations"),
    ("  is_admin", "nhiscan/providers/aws/policy/admin.py:is_admin"),
    ("  policy evaluation (all callers)", "nhiscan/providers/aws/policy/authorizer.py:evaluate"),
    ("rules (findings)", "nhiscan/app/pipeline.py:_findings"),
    ("blast radius", "nhiscan/scanner/blast.py:blast_radius"),
    ("report writing", "nhiscan/app/outputs.py:write_reports"),
]


def profile(gaad: Path, out: Path, *, tracing: bool) -> None:
    """The scan in this process under cProfile: time by phase, top functions, edges by kind."""
    import cProfile
    import io
    import pstats
    import tracemalloc
    from collections import Counter
    from typing import Any

    from nhiscan.app import pipeline
    from nhiscan.cli import cli

    captured: list[Any] = []
    analyze = pipeline.analyze

    def capturing(*args: Any, **kwargs: Any) -> Any:
        report = analyze(*args, **kwargs)
        captured.append(report)
        if tracing:
            captured.append(tracemalloc.take_snapshot())
        return report

    pipeline.analyze = capturing  # type: ignore[assignment]
    if tracing:
        tracemalloc.start(4)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    try:
        cli.main(["scan", "--aws-gaad", str(gaad), "-o", str(out), "--no-store"],
                 prog_name="nhiscan", standalone_mode=False)  # fmt: skip
    except SystemExit:
        pass
    finally:
        profiler.disable()
        pipeline.analyze = analyze  # type: ignore[assignment]
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprofile (cProfile{' + tracemalloc' if tracing else ''}, in-process): "
          f"{total:.1f} s, peak {peak:.0f} MB", flush=True)  # fmt: skip
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, str], float] = {}
    for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        table[(path.replace("\\", "/"), name)] = cumulative
    for label, where in PHASES:
        suffix, _, name = where.partition(":")
        seconds = sum(t for (p, n), t in table.items() if p.endswith(suffix) and n == name)
        print(f"  {label:<36} {seconds:8.2f} s", flush=True)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    print("\ntop functions by own time:")
    print("\n".join(line for line in text.getvalue().splitlines()[-18:] if line.strip()))
    report = captured[0] if captured else None
    if report is not None and report.graph is not None:
        graph = report.graph.graph
        kinds = Counter(d["hop"].edge.value for _, _, d in graph.edges(data=True))
        reach = report.graph
        print(f"\ngraph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
              f"{len(reach.escalations)} escalations (+{len(reach.potential)} potential), "
              f"{len(report.findings)} findings")  # fmt: skip
        for kind, count in kinds.most_common():
            print(f"  {kind:<28} {count:>10}")
    if tracing and len(captured) > 1:
        top = captured[1].statistics("lineno")[:12]
        _, most = tracemalloc.get_traced_memory()
        print(f"\ntracemalloc: peak {most / 2**20:.0f} MB; held after the analysis:")
        for stat in top:
            print(f"  {stat.size / 2**20:8.1f} MB  {stat.count:>9}  {stat.traceback[0]}")


def stored_graph(snap: Path) -> None:
    """The graph the scan stored beside ``snap``: its size, and in this process the time to
    encode and write it (what the scan spent on it: the same graph, decoded from the file), to
    read and decode it (the queries' share) and to decode its escalations (read by none of the
    queries: decoded when first read)."""
    from nhiscan import __version__
    from nhiscan.app import snapshots
    from nhiscan.app.estates import estate_of
    from nhiscan.app.graphs import digest
    from nhiscan.app.outputs import graph_path
    from nhiscan.scanner.graph import stored

    path = graph_path(snap)
    if not path.exists():
        print(f"no stored graph beside {snap}", flush=True)
        return
    estate = estate_of(snapshots.load(snap))
    sha = digest(snap.read_bytes())
    started = time.perf_counter()
    document = stored.loads(path.read_bytes())
    stored.check(document, snapshot_sha256=sha, nhiscan=__version__)
    graph = stored.decode_graph(document, estate)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    escalations = len(graph.escalations)  # decoded when first read, as a rule would
    deferred = time.perf_counter() - started
    started = time.perf_counter()
    data = stored.dumps(stored.encode_graph(graph, snapshot_sha256=sha, nhiscan=__version__))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / path.name).write_bytes(data)
    written = time.perf_counter() - started
    g = graph.graph
    print(f"stored graph {path.name}: {path.stat().st_size / 1e6:.1f} MB "
          f"({g.number_of_nodes()} nodes, {g.number_of_edges()} edges, "
          f"{escalations} escalations +{len(graph.potential)} potential); encode+write "
          f"{written:.2f} s, read+decode {loaded:.2f} s, then the escalations {deferred:.2f} s "
          "(in-process)",
          flush=True)  # fmt: skip


def _rebuilt(snap: Path, queries: dict[str, list[str]], timeout: float) -> None:
    """The queries once more with the stored graph moved aside: each rebuilds the graph from
    the snapshot, as every query did before graphs were stored."""
    from nhiscan.app.outputs import graph_path

    path = graph_path(snap)
    aside = path.with_name(path.name + ".aside")
    if path.exists():
        path.rename(aside)
    try:
        for name, argv in queries.items():
            show(run(f"{name} (rebuilt)", argv, timeout))
    finally:
        if aside.exists():
            aside.rename(path)


def _queries(args: argparse.Namespace, work: Path, snap: Path, user: str) -> None:
    queries = {
        "reach": ["reach", str(snap), user],
        "who-can": ["who-can", str(snap), "iam:PassRole", "*"],
        "path": ["path", str(snap), user, "admin"],
        "export": ["graph", "export", str(snap), "--format", "json", "-o",
                   str(work / "graph.json")],
    }  # fmt: skip
    stored_graph(snap)
    for name, argv in queries.items():
        show(run(name, argv, args.timeout))
    if args.rebuilt:
        _rebuilt(snap, queries, args.timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--policies", type=int, default=2_000)
    parser.add_argument("--managed", type=int, default=150)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command")
    parser.add_argument("--keep", type=Path, help="write the estate and outputs here")
    parser.add_argument("--profile", action="store_true", help="profile the scan in-process")
    parser.add_argument("--tracemalloc", action="store_true", help="with --profile: memory")
    parser.add_argument("--no-queries", action="store_true", help="skip the queries")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: the queries on the scan kept there"
    )
    parser.add_argument(
        "--rebuilt",
        action="store_true",
        help="the queries again without the stored graph (each rebuilds it)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nhiscan-dense-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        gaad, out = work / "gaad-dense.json", work / "out"
        snap = out / "snapshot.json"
        sizes = ["--roles", str(args.roles), "--users", str(args.users), "--groups",
                 str(args.groups), "--policies", str(args.policies), "--managed",
                 str(args.managed), "--seed", str(args.seed)]  # fmt: skip
        if args.reuse and args.keep is not None and snap.exists():
            print(f"the scan kept in {work} (--reuse)", flush=True)
            return _queries(args, work, snap, "svc-dense-1" if args.users > 1 else "dense-role-0")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "gaad_dense.py"), str(gaad), *sizes],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"dense estate: {' '.join(sizes)} ({gaad.stat().st_size / 1e6:.1f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s)", flush=True)  # fmt: skip
        scan = run("scan", ["scan", "--aws-gaad", str(gaad), "-o", str(out), "--no-store"],
                   args.timeout)  # fmt: skip
        show(scan)
        if scan.exit is None or not snap.exists():
            print("queries skipped: the scan wrote no snapshot", flush=True)
            return
        if not args.no_queries:
            _queries(args, work, snap, "svc-dense-1" if args.users > 1 else "dense-role-0")
        if args.profile:
            profile(gaad, work / "profiled", tracing=args.tracemalloc)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

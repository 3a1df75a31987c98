"""Every regex a detector runs stays fast on a window of hostile text (no catastrophic
backtracking): nhiscan's detectors and detect-secrets' plugins, each on runs built from its own
keywords and the characters its pattern repeats. Run in a subprocess under a generous timeout,
so a regression fails instead of hanging CI; no speed is asserted."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_SCRIPT = textwrap.dedent(
    """
    from nhiscan.connectors.git.secrets import plugins
    from nhiscan.connectors.git.secrets.detectors import DETECTORS
    from nhiscan.connectors.git.secrets.windows import WINDOW

    RUNS = (" ", "\\t", "a", "A", "0", "A  ", "\\\\n", "%2B", "=", "-", "_a", "a:", "@a",
            ".a", "&a=", ";a=", "a/", "' ", '"a')
    EXTRA = ("-----BEGIN RSA PRIVATE KEY----- Proc-Type: ", "sv=2020-01-01", "AccountName=abc;")

    def hostile(keywords):
        # a keyword, then a window's worth of one run, ending where no pattern can complete
        return [k + run * (WINDOW // len(run)) + "!" for k in keywords for run in RUNS]

    count = 0
    for detector in DETECTORS:
        for text in hostile((*detector.keywords, *EXTRA)):
            count += 1
            for _ in detector.pattern.finditer(text):
                pass
    for plugin in plugins.configure():
        name = type(plugin).__name__
        literals = plugins.PREFILTERS[name].literals[:6] or ("a",)
        paths = ("a.py", "a.yaml") if name == "KeywordDetector" else ("a.py",)
        for text in hostile(literals):
            for path in paths:
                count += 1
                plugin.analyze_line(filename=path, line=text, line_number=1)
    print(count)
    """
)


def test_every_detector_regex_is_fast_on_hostile_windows(tmp_path: Path) -> None:
    script = tmp_path / "hostile.py"
    script.write_text(_SCRIPT)
    root = Path(__file__).resolve().parents[4]
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=240,  # a catastrophic pattern runs for hours here; not a speed check
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 2000

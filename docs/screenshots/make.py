"""Regenerate the screenshots of the demo's HTML report in this folder (linked from the
README): the top of the page at 1400 px and at 400 px wide, as a reader first sees it, with the
first finding opened. Needs /usr/bin/chromium (Debian package ``chromium``) and nhiscan
installed with the demo extra.

Run from the repository's root: python docs/screenshots/make.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.cdp import Browser  # noqa: E402  (the tests' DevTools client)

SHOTS = ((1400, 1000), (400, 900))
FIX_FIRST_TOP = "document.getElementById('fix-first').getBoundingClientRect().top + scrollY"
OPEN_FIRST = "document.querySelector('#findings tbody details').open = true; true"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nhiscan-shots-") as tmp:
        out = Path(tmp) / "report"
        subprocess.run([sys.executable, "-m", "nhiscan", "scan", "--demo", "--no-store", "-o",
                        f"{out}/", "--format", "html"], check=True)  # fmt: skip
        page = (out / "report.html").as_uri()
        for width, height in SHOTS:
            with Browser(timeout=60, width=width, height=height) as browser:
                browser.open_page()
                metrics = {"width": width, "height": height, "deviceScaleFactor": 1,
                           "mobile": width < 600}  # fmt: skip
                browser.send("Emulation.setDeviceMetricsOverride", metrics)
                browser.navigate(page)
                browser.evaluate(OPEN_FIRST)
                for name, scroll in (("top", "0"), ("findings", FIX_FIRST_TOP)):
                    browser.evaluate(f"window.scrollTo(0, {scroll}); true")
                    target = HERE / f"report-{width}-{name}.png"
                    browser.screenshot(target)
                    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""The pictures of the report's first screen in ``docs/report.md``, made from the example.

    python scripts/report_screenshot.py [--chromium /usr/bin/chromium]

Renders ``examples/oberberg`` as of 2027-01-11 (as the tests do), opens it in the system's
Chromium through Playwright at 1366×768 and at 390×844, and writes the first screen of each
to ``docs/img/`` as a small palette PNG.  Needs the dev extra and Debian's ``chromium``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SHOTS = {"report-first-screen-desktop.png": (1366, 768),
         "report-first-screen-phone.png": (390, 844)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "ki_network", "report",
                        str(ROOT / "examples" / "oberberg"), "-o", str(report),
                        "--today", "2027-01-11"], check=True)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=args.chromium,
                                             args=["--no-sandbox"])
            for name, (width, height) in SHOTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(report.as_uri())
                raw = Path(tmp) / name
                page.screenshot(path=str(raw))
                page.close()
                # 64 colours are plenty for text on white and the badges; a tenth the bytes
                image = Image.open(raw).convert("RGB").quantize(colors=64)
                image.save(args.out / name, optimize=True)
                print(args.out / name, (args.out / name).stat().st_size, "bytes")
            browser.close()


if __name__ == "__main__":
    main()

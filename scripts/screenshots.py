"""Screenshot every registered page in Chromium (for the README and for looking at the pages).

    EDUSIGHT_DB=data/edusight.duckdb .venv/bin/python scripts/screenshots.py OUT_DIR [PORT]

Starts a headless Streamlit server on 127.0.0.1, opens each page in Debian's Chromium, waits
for the page title and for the script to finish, and saves <page>.<lang>-<theme>.png.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edusight import pages  # noqa: E402
from edusight.i18n import t  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8765
    only = sys.argv[3].split(",") if len(sys.argv) > 3 else None
    out.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                if (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health").read()
                    == b"ok"
                ):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--disable-background-networking"],
            )  # fmt: skip
            for lang, theme in (("zh", "light"), ("en", "dark")):
                ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                page = ctx.new_page()
                for entry in pages.PAGES:
                    if only and entry.name not in only:
                        continue
                    url = (
                        f"http://127.0.0.1:{port}/{pages.page_url(entry)}?lang={lang}&theme={theme}"
                    )
                    page.goto(url)
                    page.get_by_text(t(entry.title_key, lang=lang)).first.wait_for(timeout=120_000)
                    page.locator(
                        '[data-testid="stApp"][data-test-script-state="notRunning"]'
                    ).wait_for(timeout=120_000)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(
                        path=str(out / f"{entry.name}.{lang}-{theme}.png"), full_page=True
                    )
                    print(out / f"{entry.name}.{lang}-{theme}.png")
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

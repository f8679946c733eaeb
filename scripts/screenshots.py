"""Screenshots of the main pages on a phone and a desktop, in both languages, from a
running server (make run). Writes PNGs to the folder given (default var/screenshots).

    .venv/bin/python scripts/screenshots.py [BASE_URL] [OUT_DIR]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "var/screenshots")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
QINGDAO = "/stores/qingdao-vehicle-administration"
PAGES = {
    "home": "/",
    "store": f"{QINGDAO}/",
    "service-licence": f"{QINGDAO}/services/replace-lost-driving-licence/",
    "service-plates": f"{QINGDAO}/services/replace-lost-plates/",
    "service-inspection": f"{QINGDAO}/services/inspection-mark/",
    "court": "/stores/hangzhou-intermediate-court/",
    "signup": "/accounts/signup/",
    "login": "/accounts/login/",
    "check": "/registry/check/",
}
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for language in ("zh-hans", "en"):
            for device, (width, height) in VIEWPORTS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_cookies([{"name": "django_language", "value": language, "url": BASE}])
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(BASE + path)
                    page.screenshot(path=OUT / f"{name}-{device}-{language}.png", full_page=True)
                context.close()
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()

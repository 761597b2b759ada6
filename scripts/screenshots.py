"""Screenshots of the main pages at desktop and phone width, for looking at them as a user.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTDIR

Logs in with the demo accounts (`liandong demo`)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "lian-dong-2026"
PAGES = {
    "gansu_admin": ["/", "/workers/", "/workers/?q=王&member=yes", "/workers/imports/", "/audit-log/",
                    "/organizations/?q=快递", "/accounts/users/", "/accounts/users/new/",
                    "/organizations/imports/", "/notifications/", "/notifications/deliveries/",
                    "/accounts/profile/", "/competitions/back-entry/"],
    "youzheng": ["/", "/notifications/", "/notifications/preferences/"],
    "gansu_staff": ["/", "/reports/", "/demands/", "/demands/triage/"],
    "judge": ["/"],
    "weihai_staff": ["/campaigns/", "/outreach/", "/outreach/agreements/", "/training/",
                     "/training/library/"],
    "beijing_staff": ["/volunteers/"],
    "lz_mediator": ["/", "/mediation/"],
    "yunnan_staff": ["/competitions/"],
}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, label in [(1280, "desktop"), (390, "phone")]:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.screenshot(path=out / f"{label}-login.png", full_page=True)
            for username, paths in PAGES.items():
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                for i, path in enumerate(paths):
                    page.goto(base + path)
                    page.screenshot(path=out / f"{label}-{username}-{i}.png", full_page=True)
                    if path == "/workers/":
                        page.click("table a >> nth=0")
                        page.screenshot(path=out / f"{label}-{username}-worker.png", full_page=True)
                        page.click("text=显示完整身份证号和手机号")
                        page.screenshot(path=out / f"{label}-{username}-worker-revealed.png", full_page=True)
                page.click("text=退出")
            page.goto(f"{base}/accounts/login/worker/")
            page.fill("input[name=mobile]", "13919310001")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[value=login]")
            page.screenshot(path=out / f"{label}-worker-me.png", full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))

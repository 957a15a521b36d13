#!/usr/bin/env python3
"""Screenshots of the main pages of 党建工作平台 at desktop (1280 px) and phone (375 px) width.

    python3 scripts/screenshots.py [--bin PATH] [--out DIR] [--widths 1280,375]

Starts its own demo server (fresh temporary database, DANGJIAN_TODAY=2026-11-21) on a
free port, drives headless Chromium (/usr/bin/chromium + /usr/bin/chromedriver) and
saves full-page PNGs, printing each path.  Needs `pip install -r Tests/e2e/requirements.txt`.
The server/browser helpers are shared with the e2e tests (Tests/e2e/conftest.py).
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dangjian_e2e", REPO_ROOT / "Tests" / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

BAD_MEMBERS_CSV = (
    "姓名*,性别*,出生日期,政治面貌*,入党日期,所在支部编码*,党小组编码,党内职务,手机号,是否退休,是否困难党员\n"
    "周晓明,男,1990-03-12,正式党员,2015-07-01,ZR-B01,ZR-B01-G1,组织委员,13800001234,否,否\n"
    ",未知,1990-13-45,正式党员,,NO-SUCH,,,12345,否,否\n"
    "钱雨婷,女,1995-08-20,预备党员,2026-02-10,ZR-B01,,,139000022,否,否\n"
)


def wait(d, timeout: float = 30) -> WebDriverWait:
    return WebDriverWait(d, timeout)


def open_page(d, url: str, ready_css: str = "main.container") -> None:
    d.get(url)
    wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, ready_css)))


def capture(server, width: int, out: Path, csv_path: Path) -> list[Path]:
    base = server.base_url
    saved: list[Path] = []
    d = e2e.make_driver(width, 812 if width < 600 else 900)

    def snap(name: str) -> None:
        p = e2e.full_page_screenshot(d, out / f"{width}-{name}.png")
        sw, iw = e2e.horizontal_overflow(d)
        note = f"   ⚠ horizontal overflow: scrollWidth {sw} > {iw}" if sw > iw + 1 else ""
        print(f"{p}{note}", flush=True)
        saved.append(p)

    try:
        open_page(d, base + "/login", "input[name=username]")
        snap("01-login")

        e2e.login(d, base, "admin")
        open_page(d, base + "/")
        snap("02-dashboard-admin")

        open_page(d, base + "/orgs", "ul#tree li.tree-row")
        snap("03-tree-admin")

        open_page(d, base + "/members", "#member-table")
        snap("04-member-list")

        open_page(d, base + "/members/new", "form.grid-form")
        Select(d.find_element(By.NAME, "gender")).select_by_visible_text("女")
        d.find_element(By.NAME, "post").send_keys("宣传委员")
        d.find_element(By.NAME, "phone").send_keys("12345")
        e2e.click_and_load(d, d.find_element(By.CSS_SELECTOR, "form.grid-form button[type=submit]"))
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".field.has-error em.error")))
        snap("05-member-form-errors")

        member = server.find_member("李娜")
        open_page(d, f"{base}/members/{member['id']}", ".facts")
        snap("06-member-detail")

        open_page(d, base + "/audit")
        snap("07-audit-log")

        open_page(d, base + "/calendar?year=2026&from=2026-09-28&count=10")
        snap("08-calendar")

        open_page(d, base + "/members/import", "input[type=file]")
        d.find_element(By.CSS_SELECTOR, "input[type=file][name=file]").send_keys(str(csv_path))
        e2e.click_and_load(d, d.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
        wait(d).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main .flash-error, main h2")))
        snap("09-import-row-errors")

        d.delete_all_cookies()
        e2e.login(d, base, "zhibu")
        other = server.find_member("刘海燕")  # 国土空间规划科党支部, outside 办公室党支部
        open_page(d, f"{base}/members/{other['id']}", "h1.err-title")
        snap("10-forbidden-403")
    finally:
        d.quit()
    return saved


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="server binary (default $DANGJIAN_BIN or .build/debug/dangjian)")
    ap.add_argument("--out", default=str(REPO_ROOT / "Tests" / "e2e" / "screenshots" / "pages"),
                    help="output folder (default Tests/e2e/screenshots/pages)")
    ap.add_argument("--widths", default="1280,375", help="comma-separated viewport widths (default 1280,375)")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    widths = [int(w) for w in args.widths.split(",") if w.strip()]

    with tempfile.TemporaryDirectory(prefix="dangjian-shots-") as tmp:
        csv_path = Path(tmp) / "bad-members.csv"
        csv_path.write_text(BAD_MEMBERS_CSV, encoding="utf-8")
        server = e2e.Server(binary=Path(args.bin).resolve() if args.bin else None, log_path=Path(tmp) / "server.log")
        try:
            server.start()
        except Exception as exc:  # noqa: BLE001
            print(f"could not start the server: {exc}", file=sys.stderr)
            return 1
        print(f"server {server.binary} at {server.base_url}", file=sys.stderr)
        try:
            saved = [p for w in widths for p in capture(server, w, out, csv_path)]
        except Exception:
            print("----- server log (tail) -----\n" + server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
    print(f"saved {len(saved)} screenshots in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Real-browser end-to-end fixtures for 党建工作平台.

* ``server`` (session): starts ``dangjian serve --demo`` on a free port with a fresh
  temporary SQLite database and ``DANGJIAN_TODAY=2026-11-21``; stops it afterwards.
  It runs in test mode (``DANGJIAN_TEST_CLOCK=1``): ``server.set_today("2026-12-20")``
  moves its date, so a journey can let a notice period end.
  The binary is ``$DANGJIAN_BIN`` or ``.build/debug/dangjian`` under the repo root.
  Its log is kept in ``Tests/e2e/screenshots/server.log`` and its tail is printed
  when a test fails.
* ``browser`` (function): a factory ``browser(width)`` returning a headless Chromium
  WebDriver whose viewport is exactly ``width`` CSS pixels wide.
* ``shot(driver, name)``: saves a full-page PNG under ``Tests/e2e/screenshots/``.

``scripts/screenshots.py`` imports ``Server``, ``make_driver``, ``login`` and
``full_page_screenshot`` from this file, so keep them free of pytest specifics.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"
TODAY = "2026-11-21"
PASSWORD = "Dangjian2026"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEFAULT_HEIGHT = 900


# --------------------------------------------------------------------------- server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_binary() -> Path:
    p = Path(os.environ.get("DANGJIAN_BIN", ".build/debug/dangjian"))
    return p if p.is_absolute() else REPO_ROOT / p


class Server:
    """One demo server process with its own temporary database."""

    def __init__(self, binary: Path | str | None = None, log_path: Path | None = None, startup_timeout: float = 180):
        self.binary = Path(binary) if binary else default_binary()
        if not self.binary.is_absolute():
            self.binary = REPO_ROOT / self.binary
        self.tmpdir = Path(tempfile.mkdtemp(prefix="dangjian-e2e-"))
        self.log_path = log_path or (self.tmpdir / "server.log")
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.base_url = ""

    # -- lifecycle
    def start(self) -> "Server":
        if not self.binary.exists():
            self.stop()
            raise RuntimeError(f"server binary not found: {self.binary} (build it, or set DANGJIAN_BIN)")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probing and binding
            self.port = _free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            for f in self.tmpdir.glob("db.sqlite*"):
                f.unlink()
            env = dict(os.environ, SQLITE_PATH=str(self.tmpdir / "db.sqlite"), DANGJIAN_TODAY=TODAY,
                       DANGJIAN_TEST_CLOCK="1")
            log = open(self.log_path, "ab")
            log.write(f"\n===== {self.binary} serve --demo --port {self.port} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [str(self.binary), "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
            log.close()
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = f"server exited with code {self.proc.returncode}"
                    break
                try:
                    with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            return self
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
                time.sleep(0.25)
            else:
                last_error = f"server did not answer /healthz within {self.startup_timeout:.0f}s"
                self._kill()
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"{last_error}\n----- server log -----\n{tail}")

    def _kill(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # own session: only this server and its children
        except ProcessLookupError:
            return
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def stop(self) -> None:
        self._kill()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def status(self) -> str:
        if not self.proc:
            return "not started"
        rc = self.proc.poll()
        if rc is None:
            return f"running (pid {self.proc.pid})"
        return f"exited with code {rc}" + (f" (killed by signal {-rc})" if rc < 0 else "")

    def log_tail(self, lines: int = 150) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- JSON API helpers (for finding ids to visit)
    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None, query: dict | None = None):
        url = self.base_url + "/api/v1" + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def set_today(self, day: str) -> None:
        """Moves the server's date (test mode: DANGJIAN_TEST_CLOCK=1); ``day`` is YYYY-MM-DD."""
        req = urllib.request.Request(self.base_url + "/__test/clock", data=json.dumps({"today": day}).encode(), method="POST")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.read().decode().strip('"') == day

    def token(self, username: str, password: str = PASSWORD) -> str:
        return self.api("POST", "/auth/login", {"username": username, "password": password})["token"]

    def find_member(self, name: str, as_user: str = "admin") -> dict:
        items = self.api("GET", "/members", token=self.token(as_user), query={"q": name})["items"]
        exact = [m for m in items if m["name"] == name]
        assert exact, f"demo member {name} not found via API: {items}"
        return exact[0]


# --------------------------------------------------------------------------- browser

def start_own_server(log_name: str) -> "Server":
    """A demo server of a journey's own (log under screenshots/), for journeys that move the clock
    or add data. Retried while the binary may be being rebuilt ("Text file busy")."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    log_path = SCREENSHOT_DIR / log_name
    log_path.unlink(missing_ok=True)
    for attempt in range(4):
        srv = Server(log_path=log_path)
        try:
            return srv.start()
        except (RuntimeError, OSError):
            srv.stop()
            if attempt == 3:
                raise
            time.sleep(15)
    raise RuntimeError("unreachable")


def make_driver(width: int, height: int = DEFAULT_HEIGHT):
    """Headless Chromium whose viewport is exactly ``width`` x ``height`` CSS px.

    Chromium's headless window has a minimum width (about 500 px), so the viewport is
    set with device-metrics emulation; narrow widths are emulated as a phone.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=zh-CN",
              "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={max(width, 500)},{height}"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    try:  # Intl/toLocale* in Chinese (the date-picker text still follows the installed UI locale packs)
        driver.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "zh-CN"})
    except Exception:  # noqa: BLE001 - older Chromium
        pass
    driver.viewport_width = width
    return driver


def full_page_screenshot(driver, path: Path | str, max_height: int = 8000) -> Path:
    """PNG of the whole page (not just the viewport), including any horizontal overflow."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = driver.execute_script(
        "var d=document.documentElement,b=document.body;"
        "return [Math.max(d.scrollWidth,b?b.scrollWidth:0,window.innerWidth),"
        "Math.max(d.scrollHeight,b?b.scrollHeight:0,window.innerHeight)];")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": w, "height": min(h, max_height), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def login(driver, base_url: str, username: str, password: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base_url + "/login")
    driver.find_element(By.NAME, "username").clear()
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    WebDriverWait(driver, 20).until(lambda d: "/login" not in urllib.parse.urlparse(d.current_url).path)
    WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".userbox .who")))


def click_and_load(driver, element, timeout: float = 30) -> None:
    """Click something that navigates (submit, link) and wait until the *new* page has loaded.

    The old document is tagged first; waiting for the tag to disappear is more robust than
    Selenium's staleness_of, which chromedriver sometimes answers with a generic
    "Node ... does not belong to the document" error while the page is being swapped.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("document.documentElement.setAttribute('data-e2e-old-page', '1');")
    element.click()

    def loaded(d):
        try:
            return d.execute_script(
                "return !document.documentElement.hasAttribute('data-e2e-old-page')"
                " && document.readyState === 'complete';")
        except WebDriverException:  # mid-navigation
            return False

    WebDriverWait(driver, timeout).until(loaded)


def horizontal_overflow(driver) -> tuple[int, int]:
    """(document scrollWidth, window innerWidth)."""
    return tuple(driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];"))


# --------------------------------------------------------------------------- pytest wiring

try:
    import pytest
except ImportError:  # imported by scripts/screenshots.py without pytest installed
    pytest = None

if pytest is not None:

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        rep = outcome.get_result()
        setattr(item, "rep_" + rep.when, rep)

    @pytest.fixture(scope="session")
    def server(request):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        log_path = SCREENSHOT_DIR / "server.log"
        log_path.unlink(missing_ok=True)
        for old in SCREENSHOT_DIR.glob("FAILED-*.png"):  # leftovers of an earlier run
            old.unlink()
        srv = Server(log_path=log_path)
        request.config._dangjian_server = srv
        srv.start()
        yield srv
        request.config._dangjian_server_status = srv.status()
        srv.stop()

    def pytest_terminal_summary(terminalreporter, exitstatus, config):
        srv = getattr(config, "_dangjian_server", None)
        if srv is None or not (terminalreporter.stats.get("failed") or terminalreporter.stats.get("error")):
            return
        terminalreporter.section("dangjian server log (tail)")
        terminalreporter.write_line(f"binary: {srv.binary}  url: {srv.base_url}  full log: {srv.log_path}")
        terminalreporter.write_line(f"server process at the end of the tests: {getattr(config, '_dangjian_server_status', srv.status())}")
        terminalreporter.write_line(srv.log_tail())

    @pytest.fixture
    def browser(request):
        """Factory: ``browser(width)`` → a WebDriver with that viewport width (quit automatically)."""
        drivers = []

        def factory(width: int = 1280, height: int = DEFAULT_HEIGHT):
            d = make_driver(width, height)
            drivers.append(d)
            return d

        yield factory
        rep = getattr(request.node, "rep_call", None)
        for i, d in enumerate(drivers):
            try:
                if rep is not None and rep.failed:
                    full_page_screenshot(d, SCREENSHOT_DIR / f"FAILED-{request.node.name}-{i}.png")
            except Exception:  # noqa: BLE001 - best effort diagnostics
                pass
            d.quit()

    @pytest.fixture
    def shot():
        """``shot(driver, name)`` saves ``Tests/e2e/screenshots/<name>.png`` (full page)."""
        def save(driver, name: str) -> Path:
            return full_page_screenshot(driver, SCREENSHOT_DIR / f"{name}.png")
        return save

"""The dashboard in a real Chromium: fixtures for browser tests (Selenium + the system chromedriver).

Offline by construction: Debian's `/usr/bin/chromium` driven by `/usr/bin/chromedriver`, both named
explicitly, and Selenium Manager told not to fetch anything (SE_OFFLINE). Without Chromium the tests
are skipped, unless DSPY_AGENT_REQUIRE_BROWSER=1 (scripts/test.sh sets it), which makes them fail.
Override the paths with DSPY_AGENT_CHROMIUM / DSPY_AGENT_CHROMEDRIVER.

Fixtures and helpers (reuse them for new pages):

- `server` (from ../conftest.py): a real `dspy-agent serve` with its own home and ports.
- `dash` -> Dashboard: the server seen over HTTP. `dash.url("/ui/tasks")`, `dash.submit(id, payload,
  **fields)` (POST /queue/submit with the admin token), `dash.status(id)`, `dash.wait_status(id,
  "failed")`, `dash.api(method, path, body)`, `dash.token(name, role)` (a new token of a role).
- `login_link(role="admin")` -> str: a one-time link from `dspy-agent ui --json`, minted with the
  home's admin token or with a fresh token of `role` ("read", "submit", ...).
- `browser` -> the Selenium WebDriver: headless Chromium, window 1280x900, device scale factor 1,
  a fresh profile, downloads allowed into `browser.download_dir`. At teardown it quits, and the
  page's console errors (CSP violations, script errors, failed loads) fail the test, except those
  matching a pattern given to `allow_console(browser, r"regex")` (e.g. the 401 of a refused link).
- `log_in(browser, link)`: follow a login link and wait for the overview.
- `wait_until(cond, timeout=15, what="...")`: poll `cond()` until it returns a truthy value (which
  it returns) or fail after `timeout` seconds, naming `what`. Never sleep-then-assume.
- `expect_screenshot(browser, name, hide=(), hide_sections=())`: compare the viewport with
  `screenshots/NAME.png` (per-pixel colour tolerance, a maximum fraction of differing pixels).
  Volatile text is masked first: `<time data-ms>`, durations ("850ms", "4.2s", "4m05s"),
  `#live-stamp`, `[data-volatile]`, a result table's `duration_ms` value, plus the CSS
  selectors (or XPaths, starting with "/") in `hide`, and the content under the h2 headings
  named in `hide_sections`. The mask re-applies itself when live updates swap parts of the page.
  DSPY_AGENT_UPDATE_SCREENSHOTS=1 writes the references instead (and the README's copies in
  docs/screenshots/, for those that have one); a mismatch saves the actual
  image and a diff in a temporary folder and names them in the failure.
- `wait_for_download(browser, name)`: the path of a finished download in `browser.download_dir`.
- `by_hook(browser, css)`: the elements of a stable hook (`[data-action=cancel]`, `[data-count=queued]`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from conftest import _LEAKY_ENV, Server, cli_path, read_serve

# Selenium Manager must never try the network (no browser or driver downloads here or in CI).
os.environ.setdefault("SE_OFFLINE", "true")

CHROMIUM = os.environ.get("DSPY_AGENT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DSPY_AGENT_CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTH, HEIGHT = 1280, 900
SCREENSHOTS = Path(__file__).parent / "screenshots"
# The copies the README shows (updated with the references when they exist).
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
# Two pixels differ when one RGB channel differs by more than this (anti-aliasing, hinting).
PIXEL_TOLERANCE = 24
# A screenshot matches when at most this fraction of its pixels differ.
MAX_DIFF_FRACTION = 0.002

T = TypeVar("T")


def _browser_present() -> bool:
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _browser_present():
        return
    here = Path(__file__).parent
    mine = [i for i in items if here in Path(str(i.path)).parents]
    if os.environ.get("DSPY_AGENT_REQUIRE_BROWSER") == "1":
        # Fail each test rather than skip: CI must not pass without the browser.
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium ({CHROMIUM}) or chromedriver ({CHROMEDRIVER}); "
        "install chromium and chromium-driver (scripts/setup.sh), or set DSPY_AGENT_REQUIRE_BROWSER=1"
    )
    for item in mine:
        item.add_marker(skip)


def wait_until(
    cond: Callable[[], T], timeout: float = 15.0, what: str = "the condition", every: float = 0.1
) -> T:
    """Poll `cond` until it returns a truthy value (returned), failing after `timeout` seconds.

    Exceptions from `cond` count as "not yet" (a page mid-navigation); the last one is reported."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = cond()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - any failure of the probe means "not yet"
            last = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last!r})" if last else ""
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(every)


@dataclass
class Dashboard:
    """The server as the tests see it over HTTP."""

    server: Server
    base: str
    admin_token: str

    def url(self, path: str) -> str:
        return self.base + path

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        """One call to the HTTP API (bearer token; the admin's unless `token`): status and JSON."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    def submit(self, task_id: str, payload: dict[str, Any], **fields: Any) -> str:
        code, reply = self.api("POST", "/queue/submit", {"task_id": task_id, "payload": payload, **fields})
        assert code in (200, 201), f"submit {task_id}: {code} {reply}"
        return str(reply["task_id"])

    def status(self, task_id: str) -> str:
        code, reply = self.api("GET", f"/tasks/{task_id}")
        assert code == 200, f"GET /tasks/{task_id}: {code} {reply}"
        return str(reply["status"])

    def wait_status(self, task_id: str, status: str, timeout: float = 20.0) -> None:
        wait_until(lambda: self.status(task_id) == status, timeout, f"task {task_id} to be {status}")

    def token(self, name: str, role: str) -> str:
        """A new token of `role`, made with the CLI as a user would."""
        out = subprocess.run(
            [cli_path(), "auth", "token", "create", name, "--role", role],
            env=cli_env(self.server.home),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 0, f"auth token create: {out.stderr}"
        return out.stdout.strip()


def cli_env(home: Path, token: str | None = None) -> dict[str, str]:
    """The environment of a CLI call on this machine against the server of `home`."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY_ENV}
    env["DSPY_AGENT_HOME"] = str(home)
    if token:
        env["DSPY_AGENT_TOKEN"] = token
    return env


@pytest.fixture
def dash(server: Server) -> Dashboard:
    serve = read_serve(server.home)
    assert serve and serve.get("http_addr"), f"state.json has no http_addr: {serve}"
    token = (server.home / "auth" / "token").read_text().strip()
    return Dashboard(server, f"http://{serve['http_addr']}", token)


@pytest.fixture
def login_link(dash: Dashboard) -> Callable[..., str]:
    """`login_link(role="admin")`: a one-time link from `dspy-agent ui --json`."""
    made = 0

    def make(role: str = "admin") -> str:
        nonlocal made
        token = None
        if role != "admin":
            made += 1
            token = dash.token(f"browser-{role}-{made}", role)
        out = subprocess.run(
            [cli_path(), "ui", "--json"],
            env=cli_env(dash.server.home, token),
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        assert out.returncode == 0, f"dspy-agent ui: {out.stderr}"
        url = str(json.loads(out.stdout)["url"])
        assert url.startswith(dash.base + "/ui/login?code="), url
        return url

    return make


def allow_console(driver: Any, pattern: str) -> None:
    """Let console errors matching `pattern` (a regex) pass the teardown check."""
    driver.allowed_console.append(re.compile(pattern))


def console_errors(driver: Any) -> list[str]:
    """The SEVERE console entries so far (reading drains the browser's buffer; they are kept)."""
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            driver.console_seen.append(str(entry.get("message")))
    return list(driver.console_seen)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not _browser_present():
        pytest.fail(
            f"DSPY_AGENT_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM} or chromedriver at {CHROMEDRIVER} "
            "(install chromium and chromium-driver: scripts/setup.sh)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="chrome-profile-", dir=tmp_path))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={WIDTH},{HEIGHT}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
        "--font-render-hinting=none",
        "--disable-lcd-text",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-US",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The confirm() of a Cancel form is left open for the test to accept.
    options.set_capability("unhandledPromptBehavior", "ignore")
    log = tmp_path / "chromedriver.log"
    service = Service(executable_path=CHROMEDRIVER, log_output=str(log))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        # The viewport itself is fixed (the window size alone leaves it to the headless chrome).
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        driver.download_dir = downloads
        driver.allowed_console = []
        driver.console_seen = []
        yield driver
        errors = console_errors(driver)
        unexpected = [e for e in errors if not any(p.search(e) for p in driver.allowed_console)]
        assert not unexpected, "console errors in the page:\n" + "\n".join(unexpected)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def by_hook(driver: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, css))


def log_in(driver: Any, link: str) -> None:
    """Follow a login link; wait for the overview it moves on to."""
    driver.get(link)
    wait_until(
        lambda: (
            driver.current_url.endswith("/ui/")
            and driver.execute_script(
                "var h = document.querySelector('h1'); return h && h.textContent === 'Overview';"
            )
        ),
        what="the overview after the login page",
    )


# Masks what changes from run to run, and keeps masking as live updates swap parts of the page
# (a MutationObserver runs before the next paint). Volatile text is replaced by fixed text of
# a fixed shape, so the layout does not move, and made invisible.
_MASK_JS = r"""
var hide = arguments[0], sections = arguments[1];
var DURATION = /\b\d+(?:\.\d+)?(?:ms|s)\b|\b\d+m\d\ds\b|\b\d+h\d\dm\b/g;
function blank(el) { el.style.visibility = 'hidden'; el.setAttribute('data-masked', ''); }
function maskText(root) {
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  var nodes = [];
  while (walker.nextNode()) { nodes.push(walker.currentNode); }
  nodes.forEach(function (node) {
    var p = node.parentElement;
    if (!p || p.closest('[data-masked], script, style, pre')) { return; }
    var text = node.nodeValue;
    DURATION.lastIndex = 0;
    if (!DURATION.test(text)) { return; }
    var frag = document.createDocumentFragment(), last = 0;
    text.replace(DURATION, function (m, at) {
      frag.appendChild(document.createTextNode(text.slice(last, at)));
      var s = document.createElement('span');
      s.textContent = '0.0s';
      blank(s);
      frag.appendChild(s);
      last = at + m.length;
      return m;
    });
    frag.appendChild(document.createTextNode(text.slice(last)));
    node.replaceWith(frag);
  });
}
function all(sel) {
  if (sel.charAt(0) !== '/') { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  var r = document.evaluate(sel, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null), out = [];
  for (var i = 0; i < r.snapshotLength; i++) { out.push(r.snapshotItem(i)); }
  return out;
}
function mask() {
  document.querySelectorAll('time[data-ms]').forEach(function (t) {
    if (!t.hasAttribute('data-masked')) { t.textContent = '2000-01-01 00:00:00'; blank(t); }
  });
  var always = ['#live-stamp', '[data-volatile]', "//th[.='duration_ms']/following-sibling::td"];
  always.concat(hide).forEach(function (sel) {
    all(sel).forEach(function (el) { if (!el.hasAttribute('data-masked')) { blank(el); } });
  });
  document.querySelectorAll('h2').forEach(function (h) {
    if (sections.indexOf(h.textContent.trim()) < 0) { return; }
    for (var el = h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
      if (!el.hasAttribute('data-masked')) { blank(el); }
    }
  });
  maskText(document.body);
}
if (window.__maskObserver) { window.__maskObserver.disconnect(); }
var busy = false;
window.__maskObserver = new MutationObserver(function () {
  if (busy) { return; }
  busy = true; try { mask(); } finally { busy = false; }
});
mask();
window.__maskObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
if (document.activeElement) { document.activeElement.blur(); }
window.scrollTo(0, 0);
return true;
"""


def _compare(actual: Any, expected: Any) -> tuple[float, Any]:
    """The fraction of pixels differing by more than the tolerance, and a diff image."""
    from PIL import Image, ImageChops

    diff = ImageChops.difference(actual, expected)
    r, g, b = diff.split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), b)
    mask = worst.point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    bad = mask.histogram()[255]
    total = actual.size[0] * actual.size[1]
    # The diff: the page faded, the differing pixels in red.
    faded = Image.blend(expected, Image.new("RGB", expected.size, "white"), 0.7)
    faded.paste(Image.new("RGB", expected.size, (255, 0, 0)), mask=mask)
    return bad / total, faded


def _shot(driver: Any) -> Any:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")


def expect_screenshot(
    driver: Any,
    name: str,
    hide: tuple[str, ...] | list[str] = (),
    hide_sections: tuple[str, ...] | list[str] = (),
    timeout: float = 10.0,
) -> None:
    """Compare the viewport with screenshots/NAME.png (see the module's doc)."""
    from PIL import Image

    # Fonts loaded and layout settled before the first capture.
    wait_until(lambda: driver.execute_script("return document.fonts.status === 'loaded'"), what="fonts")
    driver.execute_script(_MASK_JS, list(hide), list(hide_sections))
    ref = SCREENSHOTS / f"{name}.png"
    if os.environ.get("DSPY_AGENT_UPDATE_SCREENSHOTS") == "1":
        # Two equal captures in a row: the page has settled.
        prev = _shot(driver)
        deadline = time.monotonic() + timeout
        while True:
            now = _shot(driver)
            if _compare(now, prev)[0] == 0.0 or time.monotonic() > deadline:
                break
            prev = now
            time.sleep(0.3)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        now.save(ref, optimize=True)
        # The README shows some of them: keep its copies (256 colours, smaller) current.
        shown = DOCS_SCREENSHOTS / f"{name}.png"
        if shown.exists():
            now.quantize(colors=256).save(shown, optimize=True)
        return
    assert ref.exists(), f"no reference {ref}; make it with DSPY_AGENT_UPDATE_SCREENSHOTS=1"
    expected = Image.open(ref).convert("RGB")
    # A live part may still be settling (a probe answering, a poll landing): retry until the
    # deadline, then report the last capture.
    deadline = time.monotonic() + timeout
    while True:
        actual = _shot(driver)
        if actual.size != expected.size:
            fraction, diff = 1.0, None
        else:
            fraction, diff = _compare(actual, expected)
        if fraction <= MAX_DIFF_FRACTION or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    if fraction <= MAX_DIFF_FRACTION:
        return
    out = Path(tempfile.mkdtemp(prefix=f"screenshot-{name}-"))
    actual.save(out / f"{name}.actual.png")
    detail = f"sizes {actual.size} vs {expected.size}"
    if diff is not None:
        diff.save(out / f"{name}.diff.png")
        detail = (
            f"{fraction:.2%} of pixels differ by more than {PIXEL_TOLERANCE} "
            f"(at most {MAX_DIFF_FRACTION:.2%} may)"
        )
    pytest.fail(
        f"screenshot {name!r} differs from {ref}: {detail}; actual: {out / f'{name}.actual.png'}, "
        f"diff: {out / f'{name}.diff.png'} (if the change is intended: DSPY_AGENT_UPDATE_SCREENSHOTS=1)"
    )


def wait_for_download(driver: Any, name: str, timeout: float = 15.0) -> Path:
    """The file `name` once the browser has finished writing it into `driver.download_dir`."""
    folder: Path = driver.download_dir

    def done() -> Path | None:
        path = folder / name
        partial = list(folder.glob("*.crdownload"))
        return path if path.exists() and not partial else None

    return wait_until(done, timeout, f"the download {name} in {folder}")

"""The dashboard's workflow and service pages in a real Chromium: a 1,000-item map drawn as one
node whose failed items are a click away, and a service's log followed live, searched on the
server and paused."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import Server, cli_path, free_port, start_server, stop_server

from .conftest import Dashboard, expect_screenshot, log_in, wait_until

T = TypeVar("T")
REDIS = "dspy-test/redis:latest"
ITEMS = 1000
BAD_EVERY = 100  # items whose index is 7 modulo this fail: 10 of 1,000


def unless_stale(read: Callable[[], T]) -> Callable[[], T | None]:
    """`read`, answering None when the live page swapped an element it held (wait_until then
    reads again)."""

    def attempt() -> T | None:
        try:
            return read()
        except StaleElementReferenceException:
            return None

    return attempt


def body_text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def run_status(dash: Dashboard, run_id: str) -> str:
    code, doc = dash.api("GET", f"/workflows/runs/{run_id}")
    assert code == 200, f"GET run {run_id}: {code} {doc}"
    return str(doc["status"])


def test_a_1000_item_map_is_one_node_and_its_failed_items_are_a_click_away(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    spec = {
        "name": "fanout",
        "params": {"n": list(range(ITEMS))},
        "steps": [
            {"id": "prep", "payload": {"command": ["true"]}},
            {
                "id": "infer",
                "depends": ["prep"],
                "map": "${params.n}",
                "max_parallel": 64,
                "max_attempts": 1,
                # Exit status 1 for every hundredth item (index 7, 107, ...), 0 for the others.
                "payload": {"command": ["sh", "-c", f"exit $(( ${{index}} % {BAD_EVERY} == 7 ))"]},
            },
            {"id": "score", "depends": ["infer"], "payload": {"command": ["true"]}},
        ],
    }
    code, out = dash.api("POST", "/workflows", spec)
    assert code in (200, 201), f"{code} {out}"
    code, out = dash.api("POST", "/workflows/fanout/runs", {"run_id": "r1k"})
    assert code in (200, 201), f"{code} {out}"
    wait_until(lambda: run_status(dash, "r1k") == "failed", 240, "the 1,000-item run to end failed")

    log_in(browser, login_link())
    browser.get(dash.url("/ui/runs/r1k"))

    def graph() -> tuple[int, list[str], list[str | None]] | None:
        nodes = browser.find_elements(By.CSS_SELECTOR, "svg g.node")
        maps = browser.find_elements(By.CSS_SELECTOR, "svg g.node.map")
        return (len(nodes), [m.text for m in maps], [m.get_attribute("data-step") for m in maps]) if nodes else None

    count, labels, steps = wait_until(unless_stale(graph), what="the run's graph")
    assert len(labels) == 1, "the map is drawn as one node"
    assert count == 3, "prep, infer, score"
    assert steps == ["infer"]
    assert "990" in labels[0] and "10" in labels[0], f"per-status counts on the node: {labels[0]!r}"
    expect_screenshot(browser, "workflow-run")

    # Click the node (its link), then the failed filter: exactly the ten failed items.
    def click(css: str) -> Callable[[], bool | None]:
        return unless_stale(lambda: browser.find_element(By.CSS_SELECTOR, css).click() or True)

    wait_until(click("svg g.node.map"), what="a click on the map node")
    wait_until(lambda: browser.current_url.endswith("/ui/runs/r1k/steps/infer"), what="the items table")
    wait_until(click("#item-filters a[href$='status=failed']"), what="a click on the failed filter")
    wait_until(lambda: "status=failed" in browser.current_url, what="the failed filter")

    def failed_rows() -> list[str]:
        rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
        return [r.text for r in rows] if len(rows) == ITEMS // BAD_EVERY else []

    rows = wait_until(unless_stale(failed_rows), what="ten failed rows")
    assert all("failed" in r for r in rows), rows
    indexes = sorted(int(r.split()[0]) for r in rows)
    assert indexes == [i for i in range(ITEMS) if i % BAD_EVERY == 7], indexes


def _docker_ready() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "image", "inspect", REDIS], capture_output=True).returncode == 0


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """This module's server manages one redis service (`cache`) on a free port; the stack is
    removed afterwards."""
    if not _docker_ready():
        pytest.skip(f"needs a Docker engine with {REDIS}")
    port = free_port()
    services = tmp_path / "services.toml"
    services.write_text(f'[services.cache]\nimage = "{REDIS}"\nports = ["{port}:6379"]\n')
    srv = start_server(tmp_path / "home", DSPY_AGENT_SERVICES_FILE=str(services))
    srv.env["CACHE_PORT"] = str(port)
    monkeypatch.setenv("DSPY_AGENT_TOKEN", (srv.home / "auth" / "token").read_text().strip())
    try:
        yield srv
    finally:
        subprocess.run([cli_path(), "down", "--volumes"], env=srv.env, capture_output=True, timeout=120)
        stop_server(srv)


def redis_save(port: int) -> None:
    """Ask redis to SAVE: it logs "DB saved on disk"."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"*1\r\n$4\r\nSAVE\r\n")
        assert s.recv(64).startswith(b"+OK"), "SAVE"


def test_follow_search_and_pause_a_services_log(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    env = dash.server.env
    up = subprocess.run([cli_path(), "up", "--services", "cache"], env=env, capture_output=True, text=True, timeout=180)
    assert up.returncode == 0, f"up: {up.stdout}{up.stderr}"
    port = int(env["CACHE_PORT"])

    log_in(browser, login_link())
    browser.get(dash.url("/ui/services"))
    row = wait_until(
        unless_stale(lambda: [r.text for r in browser.find_elements(By.XPATH, "//tr[.//a[text()='cache']]")]),
        what="the cache row",
    )
    assert "running" in row[0] and str(port) in row[0], row[0]
    wait_until(
        unless_stale(lambda: browser.find_element(By.XPATH, "//tr//a[text()='cache']").click() or True),
        what="a click on cache",
    )

    def log_lines() -> list[str]:
        return [d.text for d in browser.find_elements(By.CSS_SELECTOR, "#log > div")]

    wait_until(
        unless_stale(lambda: any("Ready to accept connections" in t for t in log_lines())),
        what="redis's start in the log",
    )
    # A line logged after the page opened arrives without a reload.
    redis_save(port)
    wait_until(unless_stale(lambda: any("DB saved on disk" in t for t in log_lines())), what="the SAVE line, live")

    # The search runs on the server: the stream reconnects and sends only matching lines.
    box = browser.find_element(By.ID, "log-q")
    box.send_keys("saved on disk", Keys.ENTER)
    wait_until(
        unless_stale(lambda: (lines := log_lines()) and all("saved on disk" in t.lower() for t in lines)),
        what="only matching lines after the search",
    )
    assert "q=saved" in (browser.find_element(By.ID, "log-download").get_attribute("href") or "")

    # Pause keeps the stream but stops following; Follow resumes.
    follow = browser.find_element(By.ID, "log-follow")
    follow.click()
    wait_until(lambda: "paused" in browser.find_element(By.ID, "log-state").text, what="paused")
    before = len(log_lines())
    redis_save(port)
    wait_until(unless_stale(lambda: len(log_lines()) > before), what="a line received while paused")
    follow.click()
    wait_until(lambda: "following" in browser.find_element(By.ID, "log-state").text, what="following again")

"""The dashboard in a real Chromium against the real `dspy-agent serve`: logging in through a
one-time link, failures, Cancel, a read session, live counts, logging out, reference screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.webdriver.common.by import By

from .conftest import (
    Dashboard,
    allow_console,
    by_hook,
    expect_screenshot,
    log_in,
    wait_for_download,
    wait_until,
)

# A task whose payload no local handler takes waits for a pull worker: it stays queued.
QUEUED: dict[str, Any] = {"note": "waits for a pull worker"}
LONG: dict[str, Any] = {"command": ["sleep", "300"]}
DONE: dict[str, Any] = {"command": ["true"]}


# The overview's event-rate card's figures (they move with time).
EVENT_RATE = (
    "//div[contains(@class,'card')][div[@class='label'][starts-with(., 'events')]]/div[not(@class='label')]"
)


def failing(line: str) -> dict[str, Any]:
    return {"command": ["sh", "-c", f"echo started; echo '{line}' >&2; exit 3"]}


def text_of(driver: Any, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).text)


def h1(driver: Any) -> str:
    return str(driver.execute_script("var h = document.querySelector('h1'); return h ? h.textContent : '';"))


def body_text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def http_status(driver: Any) -> int:
    """The HTTP status of the page now shown (Navigation Timing's responseStatus)."""
    return int(driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus"))


# The refused second use of a link, the refused forged form: the browser logs the 401/403.
REFUSED_LOAD = r"Failed to load resource: the server responded with a status of (401|403)"


def test_log_in_through_the_link_once_with_a_strict_http_only_cookie(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    link = login_link()
    log_in(browser, link)
    cookies = {c["name"]: c for c in browser.get_cookies()}
    assert "dspy_ui" in cookies, cookies
    cookie = cookies["dspy_ui"]
    assert cookie["httpOnly"] is True, cookie
    assert cookie["sameSite"] == "Strict", cookie
    assert cookie["path"] == "/ui", cookie
    # Not readable from the page's script.
    assert "dspy_ui" not in browser.execute_script("return document.cookie")
    # The session opens the other pages.
    browser.get(dash.url("/ui/tasks"))
    wait_until(lambda: h1(browser).startswith("Tasks"), what="the tasks page")
    # The link works once only: the second use is refused, with the way to a new one.
    allow_console(browser, REFUSED_LOAD)
    browser.get(link)
    wait_until(lambda: "not valid" in body_text(browser), what="the refusal")
    assert "dspy-agent ui" in body_text(browser), "the way to a new link"
    assert http_status(browser) == 401
    assert "Log out" not in body_text(browser)


def test_a_failed_task_shows_first_with_its_error_line_and_on_its_page(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    dash.submit("ok-1", DONE, max_attempts=1)
    dash.submit("boom-1", failing("ValueError: the model said no"), max_attempts=1)
    dash.submit("waiting-1", QUEUED)
    dash.wait_status("ok-1", "completed")
    dash.wait_status("boom-1", "failed")
    log_in(browser, login_link())
    browser.get(dash.url("/ui/tasks"))
    rows = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "main table tbody tr"), what="task rows")
    first = rows[0]
    assert first.find_element(By.CSS_SELECTOR, "td a").text == "boom-1", "failures first"
    assert "failed" in first.text
    assert "exited with code 3" in first.text, "the error's last line"
    assert "attempt 1/1" in first.text
    # Its page: the status and the whole error.
    first.find_element(By.CSS_SELECTOR, "td a").click()
    wait_until(lambda: h1(browser) == "Task boom-1", what="the task page")
    assert text_of(browser, "#status") == "failed"
    assert "exited with code 3" in text_of(browser, "#error")
    assert "ValueError: the model said no" in text_of(browser, "#stderr_tail")
    assert "started" in text_of(browser, "#stdout_tail")
    # A finished task has nothing to cancel.
    assert not by_hook(browser, "[data-action=cancel], form[action$='/cancel']")


def test_a_failed_task_is_retried_from_its_page_and_completes(
    dash: Dashboard, login_link: Callable[..., str], browser: Any, tmp_path: Any
) -> None:
    # Fails the first time (no marker yet), succeeds once the marker exists.
    marker = tmp_path / "second-time"
    flaky = {
        "command": [
            "sh",
            "-c",
            f"if [ -e {marker} ]; then echo second try; else touch {marker}; echo 'flaky: first try' >&2; exit 3; fi",
        ]
    }
    dash.submit("flaky-1", flaky, max_attempts=1)
    dash.wait_status("flaky-1", "failed")
    log_in(browser, login_link())
    browser.get(dash.url("/ui/tasks/flaky-1"))
    wait_until(lambda: text_of(browser, "#status") == "failed", what="the failed status")
    assert "flaky: first try" in text_of(browser, "#stderr_tail")
    retry = wait_until(lambda: by_hook(browser, "button[data-action=retry]"), what="a Retry button")
    retry[0].click()
    # The retried task runs again with its original payload and completes; the page shows it
    # (its live parts follow the stream, or the post lands back on the page).
    dash.wait_status("flaky-1", "completed")
    wait_until(
        lambda: browser.current_url.endswith("/ui/tasks/flaky-1") and text_of(browser, "#status") == "completed",
        what="the task page showing completed",
    )
    assert "second try" in text_of(browser, "#stdout_tail")
    assert not by_hook(browser, "button[data-action=retry]"), "nothing to retry once completed"


def cancel_button(driver: Any) -> Any:
    """The Cancel button: the contract's hook, or the Cancel form's button."""
    found = by_hook(driver, "button[data-action=cancel]") or by_hook(driver, "form[action$='/cancel'] button")
    return found[0] if found else None


def test_cancel_a_running_task_from_its_page(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    dash.submit("long-1", LONG, max_attempts=1)
    dash.wait_status("long-1", "running")
    log_in(browser, login_link())
    browser.get(dash.url("/ui/tasks/long-1"))
    wait_until(lambda: text_of(browser, "#status") == "running", what="the running status")
    button = wait_until(lambda: cancel_button(browser), what="a Cancel button")
    button.click()

    # The form asks first (a confirm dialog): accept it. Wait for the dialog or the result.
    def confirmed_or_done() -> bool:
        try:
            alert = browser.switch_to.alert
        except Exception:  # noqa: BLE001 - no dialog (yet)
            return dash.status("long-1") == "cancelled"
        assert "Cancel" in alert.text, alert.text
        alert.accept()
        return True

    wait_until(confirmed_or_done, what="the confirm dialog")
    dash.wait_status("long-1", "cancelled")
    wait_until(
        lambda: (
            browser.current_url.endswith("/ui/tasks/long-1") and text_of(browser, "#status") == "cancelled"
        ),
        what="the task page showing cancelled",
    )
    assert cancel_button(browser) is None, "no Cancel button on a finished task"


def test_a_read_session_has_no_buttons_and_a_forged_post_is_refused(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    dash.submit("held-1", QUEUED)
    log_in(browser, login_link("read"))
    assert "(read)" in text_of(browser, "header .who")
    for path in ("/ui/", "/ui/tasks", "/ui/tasks/held-1"):
        browser.get(dash.url(path))
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "main h1"), what=f"{path} to load")
        actions = [
            b.text
            for b in browser.find_elements(
                By.CSS_SELECTOR, "main form[method=post] button, main [data-action]"
            )
            if b.is_displayed()
        ]
        assert actions == [], f"{path} shows buttons to a read session: {actions}"
    # The page's own CSRF token (the logout form has it) and the dashboard's origin: the only
    # thing missing is the role, and the server refuses.
    allow_console(browser, REFUSED_LOAD)
    browser.execute_script(
        """
        var f = document.createElement('form');
        f.method = 'post';
        f.action = '/ui/tasks/held-1/cancel';
        var csrf = document.querySelector('input[name=csrf]').cloneNode();
        f.appendChild(csrf);
        document.body.appendChild(f);
        f.submit();
        """
    )
    wait_until(lambda: browser.current_url.endswith("/ui/tasks/held-1/cancel"), what="the refusal page")
    assert http_status(browser) == 403, body_text(browser)
    assert "role" in body_text(browser), body_text(browser)
    assert dash.status("held-1") == "queued", "a refused cancel changed nothing"


def count_text(driver: Any, state: str) -> str:
    """The overview's count of `state`: the contract's hook, or the card linking to the list."""
    return str(
        driver.execute_script(
            """
            var s = arguments[0];
            var el = document.querySelector('[data-count="' + s + '"]')
                || document.querySelector('.cards a[href="/ui/tasks?status=' + s + '"]');
            return el ? el.textContent.trim() : null;
            """,
            state,
        )
    )


def test_a_live_count_changes_without_a_reload(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    dash.submit("first-q", QUEUED)
    log_in(browser, login_link())
    wait_until(lambda: count_text(browser, "queued") == "1", what="the queued count to show 1")
    # A marker that a reload would wipe, and the navigation count.
    browser.execute_script("window.__stillThisPage = 'yes';")
    navigations = browser.execute_script("return performance.getEntriesByType('navigation').length")
    # A new document (a reload) has a new time origin.
    origin = browser.execute_script("return performance.timeOrigin")
    for i in range(3):
        dash.submit(f"more-q-{i}", QUEUED)
    wait_until(lambda: count_text(browser, "queued") == "4", timeout=15, what="the queued count to reach 4")
    assert browser.execute_script("return window.__stillThisPage") == "yes", "the page was reloaded"
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == navigations
    assert browser.execute_script("return performance.timeOrigin") == origin
    assert browser.current_url.endswith("/ui/")


def test_downloads_land_in_the_browsers_own_folder(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    # What a download button (a service's logs) relies on: no prompt, a known folder.
    log_in(browser, login_link())
    browser.execute_script(
        """
        var a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob(['line 1\\nline 2\\n'], {type: 'text/plain'}));
        a.download = 'lines.txt';
        document.body.appendChild(a);
        a.click();
        """
    )
    assert wait_for_download(browser, "lines.txt").read_text() == "line 1\nline 2\n"


def test_log_out_ends_the_session(dash: Dashboard, login_link: Callable[..., str], browser: Any) -> None:
    log_in(browser, login_link())
    browser.find_element(By.CSS_SELECTOR, "form[action='/ui/logout'] button").click()
    wait_until(lambda: h1(browser) == "Logged out", what="the logged-out page")
    assert "dspy_ui" not in {c["name"] for c in browser.get_cookies()}
    # The dashboard now wants a new link.
    allow_console(browser, REFUSED_LOAD)
    browser.get(dash.url("/ui/tasks"))
    wait_until(lambda: "dspy-agent ui" in body_text(browser), what="the login hint")
    assert http_status(browser) == 401
    assert "cancelled" not in body_text(browser) and "Log out" not in body_text(browser), "no data"


def test_reference_screenshots_of_the_overview_and_a_task_page(
    dash: Dashboard, login_link: Callable[..., str], browser: Any
) -> None:
    # Tasks in every state, with fixed ids.
    for i in range(3):
        dash.submit(f"done-{i}", DONE, max_attempts=1)
    dash.submit("failed-1", failing("RuntimeError: tokenizer not found"), max_attempts=1)
    dash.submit("cancelled-1", QUEUED)
    assert dash.api("POST", "/tasks/cancelled-1/cancel")[0] == 200
    dash.submit("running-1", LONG, max_attempts=1)
    for i in range(2):
        dash.submit(f"queued-{i}", QUEUED)
    for i in range(3):
        dash.wait_status(f"done-{i}", "completed")
    dash.wait_status("failed-1", "failed")
    dash.wait_status("running-1", "running")
    log_in(browser, login_link())
    wait_until(lambda: count_text(browser, "queued") == "2", what="the overview's counts")
    # The event rate moves with time; the services' health depends on the machine's engine.
    expect_screenshot(
        browser,
        "overview",
        hide=(EVENT_RATE,),
        hide_sections=("Services",),
    )
    browser.get(dash.url("/ui/tasks/failed-1"))
    wait_until(lambda: text_of(browser, "#status") == "failed", what="the task page")
    expect_screenshot(browser, "task")
    # Stop the long task now rather than at the server's shutdown.
    dash.api("POST", "/tasks/running-1/cancel")

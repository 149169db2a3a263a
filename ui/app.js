// The dashboard's one script (served from the binary, no inline script: CSP). It only
// improves pages that work without it:
//  - <time data-ms> shows the browser's local time;
//  - a form with data-confirm asks before it posts (Cancel);
//  - a page with <div id="live" data-stream="URL"> opens ONE EventSource on URL (the server's
//    /ui/stream). On each `changed` event it fetches the page again and swaps its [data-live]
//    parts in place: debounced, one fetch in flight at most, none while the tab is hidden or
//    the live toggle is off (the changes wait and are fetched once it is back). EventSource
//    reconnects by itself; a session that ended says so and stops.
"use strict";

(function () {
  var DEBOUNCE_MS = 150;

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function localTimes(root) {
    root.querySelectorAll("time[data-ms]").forEach(function (el) {
      var ms = Number(el.getAttribute("data-ms"));
      if (!ms) { return; }
      var d = new Date(ms);
      el.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
      el.title = d.toISOString();
    });
  }

  // One listener for every form, also those a live refresh brings in later.
  function confirms() {
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (form && form.matches && form.matches("form[data-confirm]") &&
          !window.confirm(form.getAttribute("data-confirm"))) {
        ev.preventDefault();
      }
    });
  }

  function say(text) {
    var stamp = document.getElementById("live-stamp");
    if (stamp) { stamp.textContent = text; }
  }

  var source = null;   // the one EventSource
  var pending = false; // a change not yet fetched
  var inFlight = false;
  var failures = 0; // fetches failed in a row (backoff)
  var timer = null;
  var ended = false;

  function following() {
    var toggle = document.getElementById("live-toggle");
    return !ended && !document.hidden && (!toggle || toggle.checked);
  }

  function end(why) {
    ended = true;
    if (source) { source.close(); source = null; }
    if (timer) { window.clearTimeout(timer); timer = null; }
    say(why);
  }

  function swap(text) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var key = el.getAttribute("data-live");
      var fresh = doc.querySelector('[data-live="' + CSS.escape(key) + '"]');
      if (fresh) {
        el.replaceWith(fresh);
        localTimes(fresh);
      }
    });
    say("updated " + new Date().toLocaleTimeString());
  }

  function refresh() {
    timer = null;
    if (inFlight || !pending || !following()) { return; }
    pending = false;
    inFlight = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      headers: { "Accept": "text/html", "X-Live-Refresh": "1" }
    })
      .then(function (r) {
        if (r.status === 401) { end("session ended: log in again"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (text) { failures = 0; if (text) { swap(text); } })
      .catch(function () { pending = true; failures += 1; })
      .then(function () {
        inFlight = false;
        // Changes that came while this fetch ran; after failed fetches (the server went
        // away), later and later, up to 15 s apart.
        if (pending) { schedule(Math.min(DEBOUNCE_MS * Math.pow(2, failures), 15000)); }
      });
  }

  function schedule(delay) {
    if (!timer) { timer = window.setTimeout(refresh, delay || DEBOUNCE_MS); }
  }

  function changed() {
    pending = true;
    if (following()) { schedule(); } else if (!ended) { say("paused: changes waiting"); }
  }

  // The stream closed for good (EventSource gives up on a non-200 answer): tell a session that
  // ended from a server that went away or refused.
  function closed() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        end(r.status === 401 ? "session ended: log in again" : "live updates stopped (reload the page)");
      })
      .catch(function () { end("server unreachable (reload the page)"); });
  }

  function live() {
    var el = document.getElementById("live");
    var url = el && el.getAttribute("data-stream");
    if (!url || !window.EventSource) { return; }
    source = new EventSource(url);
    // A stream that starts from the page's render (since=SEQ) sends what came in between; on
    // a reconnect, or without it, fetch once: something may have changed unseen.
    var opened = /[?&]since=/.test(url) ? 0 : 1;
    source.addEventListener("open", function () {
      var toggle = document.getElementById("live-toggle");
      if (!ended) { say(toggle && !toggle.checked ? "paused" : "live"); }
      if (opened++ > 0) { changed(); }
    });
    source.addEventListener("changed", changed);
    source.addEventListener("ended", function () { end("session ended: log in again"); });
    source.addEventListener("error", function () {
      if (ended || !source) { return; }
      if (source.readyState === EventSource.CLOSED) { closed(); } else { say("reconnecting…"); }
    });
    var toggle = document.getElementById("live-toggle");
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) { say("live"); if (pending) { schedule(); } } else { say("paused"); }
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && pending) { schedule(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    confirms();
    live();
  });
})();

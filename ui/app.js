// The dashboard's one script (served from the binary, no inline script: CSP). It only
// improves pages that work without it:
//  - <time data-ms> shows the browser's local time;
//  - a form with data-confirm asks before it posts (Cancel);
//  - a <main> holding [data-live] refreshes its live parts every few seconds, in place, from
//    the same URL, and stops while the tab is hidden or the user turns it off.
"use strict";

(function () {
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

  function confirms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
  }

  // Live parts: elements with data-live="KEY" are replaced by the element with the same key
  // in a fresh copy of the page.
  var timer = null;
  var busy = false;

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401) { stop("session ended: log in again"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (text) {
        if (!text) { return; }
        var doc = new DOMParser().parseFromString(text, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (el) {
          var key = el.getAttribute("data-live");
          var fresh = doc.querySelector('[data-live="' + CSS.escape(key) + '"]');
          if (fresh) {
            el.replaceWith(fresh);
            localTimes(fresh);
          }
        });
        var stamp = document.getElementById("live-stamp");
        if (stamp) { stamp.textContent = "updated " + new Date().toLocaleTimeString(); }
      })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { busy = false; });
  }

  function stop(why) {
    if (timer) { window.clearInterval(timer); timer = null; }
    var stamp = document.getElementById("live-stamp");
    if (stamp && why) { stamp.textContent = why; }
  }

  function live() {
    var toggle = document.getElementById("live-toggle");
    if (!document.querySelector("[data-live]") || !toggle) { return; }
    var every = Number(toggle.getAttribute("data-every")) || 3000;
    function start() { if (!timer) { timer = window.setInterval(refresh, every); } }
    toggle.addEventListener("change", function () {
      if (toggle.checked) { start(); refresh(); } else { stop("paused"); }
    });
    if (toggle.checked) { start(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    confirms(document);
    live();
  });
})();

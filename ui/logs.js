// A service's log tail (the Services page of one service): ONE EventSource on the page's
// /ui/services/NAME/logs/stream (this page opens no other stream). Lines arrive as `line`
// events ({t, s, m}) and go into <pre id="log" data-log>, one <div> each; at most MAX_LINES are
// kept (the oldest go). Pause stops the scrolling, not the reading; Follow scrolls to the end
// again. The search box reconnects with q= (the server filters), and the Download link follows
// the search. An `end` event says why the server ended the stream (session, shutdown).
"use strict";

(function () {
  var MAX_LINES = 2000;

  var form = document.getElementById("log-controls");
  var pre = document.getElementById("log");
  if (!form || !pre || !window.EventSource) { return; }
  var stateEl = document.getElementById("log-state");
  var followBtn = document.getElementById("log-follow");
  var qInput = document.getElementById("log-q");
  var download = document.getElementById("log-download");
  var base = form.getAttribute("data-stream");
  var tail = form.getAttribute("data-tail") || "200";
  var downloadBase = download ? download.getAttribute("href").split("&q=")[0] : "";

  var following = true;
  var source = null;
  var pending = [];
  var scheduled = false;

  function say(text) { if (stateEl) { stateEl.textContent = text; } }

  function streamUrl(q) {
    var u = base + "?tail=" + encodeURIComponent(tail);
    return q ? u + "&q=" + encodeURIComponent(q) : u;
  }

  // Lines are added in batches, once per frame; a hidden tab keeps at most MAX_LINES waiting.
  function flush() {
    scheduled = false;
    if (!pending.length) { return; }
    var frag = document.createDocumentFragment();
    pending.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line.m;
      if (line.s === "stderr") { div.className = "stderr"; }
      if (line.t) { div.title = line.t; }
      frag.appendChild(div);
    });
    pending = [];
    pre.appendChild(frag);
    var extra = pre.childElementCount - MAX_LINES;
    while (extra-- > 0) { pre.removeChild(pre.firstElementChild); }
    if (following) { pre.scrollTop = pre.scrollHeight; }
  }

  function add(line) {
    pending.push(line);
    if (pending.length > MAX_LINES) { pending.splice(0, pending.length - MAX_LINES); }
    if (!scheduled) {
      scheduled = true;
      if (document.hidden) { setTimeout(flush, 250); } else { window.requestAnimationFrame(flush); }
    }
  }

  function status() { return following ? "following" : "paused (still receiving)"; }

  function connect() {
    if (source) { source.close(); }
    var q = qInput ? qInput.value.trim() : "";
    if (download) {
      download.setAttribute("href", q ? downloadBase + "&q=" + encodeURIComponent(q) : downloadBase);
    }
    say("connecting…");
    var es = new EventSource(streamUrl(q));
    source = es;
    es.addEventListener("open", function () {
      // Every connection starts with the tail again: start the view afresh.
      pending = [];
      pre.textContent = "";
      say(status() + (q ? " · lines with “" + q + "”" : ""));
    });
    es.addEventListener("line", function (ev) {
      try { add(JSON.parse(ev.data)); } catch (e) { /* not a line: skip it */ }
    });
    es.addEventListener("end", function (ev) {
      es.close();
      if (source === es) { source = null; }
      say("ended: " + ev.data);
    });
    es.addEventListener("error", function () {
      if (es.readyState === EventSource.CLOSED) {
        if (source === es) { source = null; }
        say("disconnected (the server refused the stream; reload the page)");
      } else {
        say("reconnecting…");
      }
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    connect();
  });

  if (followBtn) {
    followBtn.addEventListener("click", function () {
      following = !following;
      followBtn.textContent = following ? "Pause" : "Follow";
      followBtn.setAttribute("aria-pressed", following ? "true" : "false");
      if (following) { pre.scrollTop = pre.scrollHeight; }
      if (source) { say(status()); }
    });
  }

  connect();
})();

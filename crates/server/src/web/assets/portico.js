// Portico: keeps the unread badges live. Opens the server-sent event stream
// (GET /api/events) and, on each notification, reloads the counts it
// concerns from the JSON API: the header's notification count and the
// Updates badge of the workspace named in the event.
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.dataset.events || !window.EventSource) return;

  function setCount(el, n) {
    var c = el.querySelector("[data-count]");
    if (c) c.textContent = String(n);
    el.hidden = !(n > 0);
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function refreshNotifications() {
    return getJson("/api/notifications?limit=1").then(function (j) {
      if (!j) return;
      document.querySelectorAll("[data-notification-count]").forEach(function (el) { setCount(el, j.unreadCount); });
    });
  }

  function badgesOf(id) {
    return Array.prototype.filter.call(document.querySelectorAll("[data-unread-ws]"), function (el) {
      return el.getAttribute("data-unread-ws") === id;
    });
  }

  function refreshWorkspace(id) {
    var els = badgesOf(id);
    if (!els.length) return Promise.resolve();
    return getJson("/api/workspaces/" + encodeURIComponent(id)).then(function (j) {
      if (!j || !j.workspace) return;
      els.forEach(function (el) { setCount(el, j.workspace.unreadUpdates); });
    });
  }

  // On (re)connecting, catch up with what happened since the page was made.
  function refreshAll() {
    var ids = {};
    document.querySelectorAll("[data-unread-ws]").forEach(function (el) { ids[el.getAttribute("data-unread-ws")] = true; });
    var list = Object.keys(ids).slice(0, 20);
    return Promise.all([refreshNotifications()].concat(list.map(refreshWorkspace)));
  }

  var source = new EventSource(body.dataset.events);
  source.addEventListener("open", function () {
    refreshAll().then(function () { body.setAttribute("data-live", "connected"); });
  });
  source.addEventListener("error", function () { body.setAttribute("data-live", "reconnecting"); });
  (body.dataset.eventKinds || "").split(",").forEach(function (kind) {
    if (!kind) return;
    source.addEventListener(kind, function (ev) {
      refreshNotifications();
      try {
        var n = JSON.parse(ev.data);
        var ws = n && n.data && n.data.workspaceId;
        if (ws) refreshWorkspace(String(ws));
      } catch (e) { /* not JSON: only the count changes */ }
    });
  });
})();

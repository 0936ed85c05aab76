// Portico: small page behaviours, then the live badges.
//  - [data-dialog=ID] links open the <dialog id=ID> instead of following the
//    link (the link is the page without script); [data-close-dialog] closes.
//  - input[type=file][data-fill=ID] reads a text file into textarea #ID
//    (appended; replacing with [data-replace]; [data-max] bytes at most).
//  - [data-copy=ID] copies the value of input #ID.
//  - form[data-confirm] asks before sending.
(function () {
  "use strict";
  document.querySelectorAll("a[data-dialog]").forEach(function (a) {
    var dialog = document.getElementById(a.getAttribute("data-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    a.setAttribute("aria-haspopup", "dialog");
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      dialog.showModal();
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (b) {
      b.addEventListener("click", function () { dialog.close(); a.focus(); });
    });
  });
  document.querySelectorAll("input[type=file][data-fill]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.getAttribute("data-fill"));
      var file = input.files && input.files[0];
      if (!target || !file) return;
      var max = Number(input.getAttribute("data-max")) || 256 * 1024;
      if (file.size > max) {
        window.alert("That file is too large (" + Math.round(max / 1024) + " KiB at most).");
        input.value = "";
        return;
      }
      var replace = input.hasAttribute("data-replace");
      var reader = new FileReader();
      reader.onload = function () {
        var text = String(reader.result || "");
        target.value = !replace && target.value.trim() ? target.value.trim() + "\n" + text : text;
        target.dispatchEvent(new Event("input"));
      };
      reader.readAsText(file);
    });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else {
        field.select();
        try { if (document.execCommand("copy")) done(); } catch (e) { /* selected: copy by hand */ }
      }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
})();

// Keeps the unread badges live. Opens the server-sent event stream
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

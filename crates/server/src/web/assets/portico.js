// Portico: small page behaviours, then the live badges.
//  - [data-dialog=ID] links open the <dialog id=ID> instead of following the
//    link (the link is the page without script); [data-close-dialog] closes.
//  - input[type=file][data-fill=ID] reads a text file into textarea #ID
//    (appended; replacing with [data-replace]; [data-max] bytes at most).
//  - [data-copy=ID] copies the value of input #ID.
//  - form[data-confirm] asks before sending.
//  - [data-preview=ID] shows the markdown of textarea #ID rendered by the
//    server (POST /preview, the pages' own sanitiser) in #ID-preview.
//  - a[data-panel=ID] opens the panel #ID under it, filled from its
//    data-src; Escape or a click elsewhere closes it (the link is the page
//    without script).
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
  document.querySelectorAll("[data-preview]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-preview"));
    var out = document.getElementById(button.getAttribute("data-preview") + "-preview");
    var csrf = button.form && button.form.querySelector("input[name=csrf]");
    if (!field || !out || !csrf) return;
    button.hidden = false;
    button.setAttribute("aria-controls", out.id);
    button.addEventListener("click", function () {
      if (!out.hidden) {
        out.hidden = true;
        button.textContent = "Preview";
        return;
      }
      var form = new URLSearchParams();
      form.set("csrf", csrf.value);
      form.set("text", field.value);
      fetch("/preview", { method: "POST", credentials: "same-origin", body: form })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          out.innerHTML = html.trim() ? html : "<p class=\"muted\">Nothing to preview.</p>";
          out.hidden = false;
          button.textContent = "Hide preview";
        }, function () {
          out.textContent = "The preview could not be made.";
          out.hidden = false;
        });
    });
  });
  document.querySelectorAll("a[data-panel]").forEach(function (link) {
    var panel = document.getElementById(link.getAttribute("data-panel"));
    if (!panel) return;
    link.setAttribute("aria-expanded", "false");
    link.setAttribute("aria-controls", panel.id);
    function close(refocus) {
      if (panel.hidden) return;
      panel.hidden = true;
      link.setAttribute("aria-expanded", "false");
      if (refocus) link.focus();
    }
    function load() {
      return fetch(panel.getAttribute("data-src"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { panel.innerHTML = html; });
    }
    panel.refresh = function () { if (!panel.hidden) load(); };
    link.addEventListener("click", function (ev) {
      if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
      ev.preventDefault();
      if (!panel.hidden) { close(false); return; }
      load().then(function () {
        panel.hidden = false;
        link.setAttribute("aria-expanded", "true");
        var first = panel.querySelector("a, button");
        if (first) first.focus();
      }, function () { window.location.href = link.href; });
    });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") close(true); });
    document.addEventListener("click", function (ev) {
      if (!panel.contains(ev.target) && !link.contains(ev.target)) close(false);
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
      document.querySelectorAll("[data-panel]").forEach(function (a) {
        var panel = document.getElementById(a.getAttribute("data-panel"));
        if (panel && panel.refresh) panel.refresh();
      });
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

// The authors' pages: lessons reordered by drag and drop (the move
// buttons do the same without a script), and uploads with a progress bar:
// small files in one request to the API, big ones in parts sent straight
// to storage, resumable after a dropped connection or a reload (the
// upload's id and the parts done are kept in localStorage).
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var BIG = 5 * 1024 * 1024; // files above this go in parts
  var PREFIX = "mooc-upload:";

  // Drag and drop within a week.
  document.querySelectorAll("ol.builder").forEach(function (list) {
    var dragged = null;
    var status = list.parentNode.querySelector(".status");
    list.addEventListener("dragstart", function (e) {
      var li = e.target.closest("li[draggable=true]");
      if (!li) { return; }
      dragged = li;
      li.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", li.dataset.id);
    });
    list.addEventListener("dragover", function (e) {
      var li = e.target.closest("li[data-id]");
      if (!dragged || !li || li === dragged) { return; }
      e.preventDefault();
      list.querySelectorAll(".over").forEach(function (o) { o.classList.remove("over"); });
      li.classList.add("over");
    });
    list.addEventListener("drop", function (e) {
      var li = e.target.closest("li[data-id]");
      if (!dragged || !li) { return; }
      e.preventDefault();
      var rect = li.getBoundingClientRect();
      list.insertBefore(dragged, e.clientY > rect.top + rect.height / 2 ? li.nextSibling : li);
      save();
    });
    list.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      list.querySelectorAll(".over").forEach(function (o) { o.classList.remove("over"); });
      dragged = null;
    });
    function save() {
      var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li"), function (li) { return li.dataset.id; });
      var body = new URLSearchParams();
      body.set("lesson_ids", ids.join(","));
      fetch(list.dataset.reorder, { method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } }).then(function (res) {
        if (res.ok) {
          if (status) { status.textContent = list.dataset.moved; }
          var items = list.querySelectorAll(":scope > li");
          items.forEach(function (item, i) {
            var up = item.querySelector(".move-up"), down = item.querySelector(".move-down");
            if (up) { up.disabled = i === 0; }
            if (down) { down.disabled = i === items.length - 1; }
          });
        } else {
          location.reload();
        }
      });
    }
  });

  var form = document.querySelector("form.upload");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var errorBox = form.querySelector(".field-error");
  var bar = form.querySelector("progress");
  var barBox = form.querySelector(".upload-progress");
  var percent = form.querySelector(".percent");
  var button = form.querySelector("button[type=submit]");
  var resumeNote = document.querySelector(".resume");

  function keyOf(file) { return PREFIX + file.name + ":" + file.size + ":" + file.lastModified; }
  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function store(key, v) { localStorage.setItem(key, JSON.stringify(v)); }

  // An upload interrupted earlier: offer to resume it with the same file.
  for (var i = 0; i < localStorage.length; i++) {
    var k = localStorage.key(i);
    if (k && k.indexOf(PREFIX) === 0 && resumeNote) {
      var name = k.slice(PREFIX.length).split(":").slice(0, -2).join(":");
      resumeNote.textContent = resumeNote.dataset.text.replace("%s", name);
      resumeNote.hidden = false;
      break;
    }
  }

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    input.setAttribute("aria-invalid", "true");
    button.disabled = false;
  }
  function show(done, total) {
    barBox.hidden = false;
    var p = total ? Math.floor(done * 100 / total) : 0;
    bar.value = p;
    bar.textContent = p + " %";
    percent.textContent = p + " %";
  }
  function finished(media) {
    percent.textContent = form.dataset.done;
    location.assign(form.dataset.next + "?media=" + encodeURIComponent(media.id) + "#files");
  }
  function problemOf(xhr) {
    try { return JSON.parse(xhr.responseText); } catch (e) { return {}; }
  }

  form.addEventListener("submit", function (e) {
    var file = input.files && input.files[0];
    if (!file) { return; }
    e.preventDefault();
    errorBox.hidden = true;
    input.removeAttribute("aria-invalid");
    button.disabled = true;
    if (file.size > BIG) { resumable(file); } else { single(file); }
  });

  // A small file: one request to the API, with upload progress.
  function single(file) {
    var xhr = new XMLHttpRequest();
    var data = new FormData();
    data.append("file", file, file.name);
    xhr.open("POST", "/api/v1/media");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", function (ev) { show(ev.loaded, ev.total); });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201) { finished(JSON.parse(xhr.responseText)); return; }
      var p = problemOf(xhr);
      if (p.code === "invalid_captions") { explainCaptions(file); return; }
      fail(p.detail || form.dataset.failed);
    });
    xhr.addEventListener("error", function () { fail(form.dataset.failed); });
    xhr.send(data);
  }

  // Captions the API refused: ask which line breaks which rule.
  function explainCaptions(file) {
    fetch(form.dataset.check, { method: "POST", credentials: "same-origin", body: file,
      headers: { "X-CSRF-Token": csrf, "Content-Type": "text/vtt" } })
      .then(function (res) { return res.json(); })
      .then(function (p) { fail(p.message || form.dataset.failed); })
      .catch(function () { fail(form.dataset.failed); });
  }

  function api(method, path, body) {
    return fetch(path, { method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept": "application/json" } })
      .then(function (res) {
        return res.json().then(function (j) { if (!res.ok) { throw j; } return j; });
      });
  }

  // A big file: begin (or take up again) a resumable upload, send each part
  // not yet done straight to its URL, then complete it.
  function resumable(file) {
    var key = keyOf(file);
    var state = load(key);
    var start = state ? Promise.resolve(state) : api("POST", "/api/v1/media/uploads",
      { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size })
      .then(function (up) {
        var s = { id: up.id, partSize: up.part_size, parts: up.parts, done: {} };
        store(key, s);
        return s;
      });
    start.then(function (s) {
      var sent = 0;
      s.parts.forEach(function (p) { if (s.done[p.number]) { sent += partLength(s, p.number, file.size); } });
      show(sent, file.size);
      var todo = s.parts.filter(function (p) { return !s.done[p.number]; });
      function next() {
        if (!todo.length) { return complete(s); }
        var p = todo.shift();
        return put(file, s, p, sent).then(function (etag) {
          s.done[p.number] = etag;
          sent += partLength(s, p.number, file.size);
          store(key, s);
          return next();
        });
      }
      return next();
    }).then(function (media) {
      localStorage.removeItem(key);
      if (resumeNote) { resumeNote.hidden = true; }
      finished(media);
    }).catch(function (p) {
      if (p && p.code === "invalid_captions") { localStorage.removeItem(key); explainCaptions(file); return; }
      if (p && (p.code === "upload_not_found" || p.code === "upload_not_open")) { localStorage.removeItem(key); }
      fail((p && p.detail) || form.dataset.failed);
      button.textContent = form.dataset.resume;
    });
  }

  function partLength(s, number, size) {
    return Math.min(s.partSize, size - (number - 1) * s.partSize);
  }

  function put(file, s, p, before) {
    return new Promise(function (resolve, reject) {
      var from = (p.number - 1) * s.partSize;
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", p.url);
      xhr.upload.addEventListener("progress", function (ev) { show(before + ev.loaded, file.size); });
      xhr.addEventListener("load", function () {
        var etag = xhr.getResponseHeader("ETag");
        if (xhr.status >= 200 && xhr.status < 300 && etag) { resolve(etag); } else { reject(problemOf(xhr)); }
      });
      xhr.addEventListener("error", function () { reject(null); });
      xhr.addEventListener("abort", function () { reject(null); });
      xhr.send(file.slice(from, from + s.partSize));
    });
  }

  function complete(s) {
    var parts = Object.keys(s.done).map(function (n) { return { number: Number(n), etag: s.done[n] }; })
      .sort(function (a, b) { return a.number - b.number; });
    return api("POST", "/api/v1/media/" + encodeURIComponent(s.id) + "/complete", { parts: parts });
  }
})();

// The lesson player: a play/pause and a captions toggle beside it, the
// learner's position reported while watching (the server decides what
// counts as watched), and fresh links when the short-lived ones expire.
(function () {
  "use strict";
  var box = document.querySelector(".player");
  if (!box) { return; }
  var media = box.querySelector("video, audio");
  var controls = box.querySelector(".controls");
  var play = box.querySelector("button.play");
  var cc = box.querySelector("button.cc");
  var status = box.querySelector(".status");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var lastSent = -1, sending = false, pending = null, completed = false;
  controls.hidden = false;

  var start = parseFloat(box.dataset.position || "0");
  media.addEventListener("loadedmetadata", function () {
    if (start > 0 && start < media.duration - 1) { media.currentTime = start; }
  }, { once: true });

  function showPlaying() {
    var playing = !media.paused && !media.ended;
    play.textContent = playing ? play.dataset.pause : play.dataset.play;
    play.setAttribute("aria-pressed", playing ? "true" : "false");
  }
  play.addEventListener("click", function () {
    if (media.paused || media.ended) { media.play(); } else { media.pause(); }
  });
  media.addEventListener("play", showPlaying);
  media.addEventListener("pause", showPlaying);
  media.addEventListener("ended", showPlaying);

  function captionsOn(on) {
    for (var i = 0; i < media.textTracks.length; i++) {
      media.textTracks[i].mode = on && i === 0 ? "showing" : "hidden";
    }
    if (cc) { cc.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  if (cc) {
    captionsOn(true);
    cc.addEventListener("click", function () { captionsOn(cc.getAttribute("aria-pressed") !== "true"); });
  }

  function report(done) {
    if (!box.dataset.watch) { return; }
    // One report at a time, in order: a report asked for meanwhile is sent
    // after (the end of a short video comes while its start is on the way).
    if (sending) { pending = pending || done; return; }
    var pos = Math.round(media.currentTime * 10) / 10;
    if (!done && pos === lastSent) { return; }
    sending = true;
    fetch(box.dataset.progress, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ position_seconds: pos, completed: !!done })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      lastSent = pos;
      if (res.ok && res.body.completed && !completed) {
        completed = true;
        status.textContent = status.dataset.done;
        box.dataset.completed = "1";
      }
    }).catch(function () { /* the next report tries again */ })
      .then(function () {
        sending = false;
        if (pending !== null) { var d = pending; pending = null; report(d); }
      });
  }
  // A report every few seconds of playing, when paused, and at the end.
  var timer = null;
  media.addEventListener("play", function () {
    report(false);
    if (!timer) { timer = setInterval(function () { report(false); }, 3000); }
  });
  media.addEventListener("pause", function () { clearInterval(timer); timer = null; report(false); });
  media.addEventListener("ended", function () { clearInterval(timer); timer = null; report(true); });
  media.addEventListener("timeupdate", function () {
    if (!completed && media.duration && media.currentTime >= media.duration * 0.95) { report(true); }
  });

  // Links last two minutes: when one fails, fetch new ones and go on.
  media.addEventListener("error", function () {
    var at = media.currentTime, wasPlaying = !media.paused;
    fetch(box.dataset.playback, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (pb) {
      if (!pb.url) { return; }
      media.src = pb.url;
      var tracks = media.querySelectorAll("track");
      (pb.captions || []).forEach(function (c, i) { if (tracks[i]) { tracks[i].src = c.url; } });
      media.addEventListener("loadedmetadata", function () {
        media.currentTime = at;
        if (wasPlaying) { media.play(); }
      }, { once: true });
    });
  });
}());

// The test countdown, from the server's expires_at: the server grades by
// its own clock, this only tells the learner how long is left.
(function () {
  "use strict";
  var el = document.querySelector(".timer[data-expires]");
  if (!el) { return; }
  var ends = Date.parse(el.dataset.expires);
  var announced = {};
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = el.dataset.label + " " + m + ":" + (s < 10 ? "0" : "") + s;
    // Screen readers hear the time at 5 minutes and 1 minute left, not every second.
    if ((left === 300 || left === 60) && !announced[left]) {
      announced[left] = true;
      el.setAttribute("aria-live", "assertive");
    } else {
      el.setAttribute("aria-live", "off");
    }
    if (left === 0) {
      el.textContent = el.dataset.up;
      clearInterval(timer);
    }
  }
  var timer = setInterval(tick, 1000);
  tick();
}());

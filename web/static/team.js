// The bulk certificate issue's live progress: the page asks the API how
// far the job is, with the page's session and CSRF token, until it is
// done. Without a script, reloading the page shows the same.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var token = document.querySelector('meta[name="csrf-token"]');
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var fields = ["total", "issued", "existing", "not_eligible", "failed"];
  function show(j) {
    var done = j.issued + j.existing + j.not_eligible + j.failed;
    var pct = j.status === "done" ? 100 : (j.total > 0 ? Math.floor(done * 100 / j.total) : 0);
    bar.value = pct;
    bar.textContent = pct + " %";
    fields.forEach(function (f) {
      var el = document.getElementById("job-" + f);
      if (el) { el.textContent = String(j[f]); }
    });
    var text = j.status === "done" ? box.dataset.doneText : box.dataset.runningText;
    if (status.textContent !== text) { status.textContent = text; }
    box.dataset.status = j.status;
    return j.status === "done";
  }
  function poll() {
    fetch("/api/v1/certificate-jobs/" + encodeURIComponent(box.dataset.job), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": token ? token.content : "" }
    }).then(function (res) {
      if (!res.ok) { throw new Error("job " + res.status); }
      return res.json();
    }).then(function (j) {
      if (!show(j)) { window.setTimeout(poll, 500); }
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
}());

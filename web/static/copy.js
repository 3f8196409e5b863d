// The share link's copy button: shown only where a script can copy.
(function () {
  "use strict";
  document.querySelectorAll("button.copy").forEach(function (b) {
    var input = document.getElementById(b.dataset.copy);
    var status = b.parentNode.parentNode.querySelector(".status");
    if (!navigator.clipboard || !input) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = b.dataset.done;
      }, function () { input.select(); });
    });
  });
}());

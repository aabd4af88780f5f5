/* NetBox page: follow a running dry run or sync and reload when it ends. */
(function () {
  var box = document.getElementById("netbox-progress");
  if (!box || box.dataset.busy !== "1") { return; }
  var bar = box.querySelector(".progress-bar");
  var stage = document.getElementById("netbox-stage");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (s) {
        box.setAttribute("aria-valuenow", s.progress_pct);
        bar.style.width = s.progress_pct + "%";
        bar.textContent = s.steps_done + " / " + s.steps_total;
        if (stage) { stage.textContent = s.stage ? "Reading: " + s.stage : ""; }
        if (s.busy) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 800);
})();

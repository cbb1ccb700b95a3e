// Keep an import's progress bar and summary up to date until the job is done.
(function () {
  "use strict";
  var card = document.getElementById("import-progress");
  if (!card) { return; }
  var bar = document.getElementById("bar");
  function show(progress) {
    bar.max = progress.total || 1;
    bar.value = progress.processed;
    ["processed", "status", "imported", "merged", "rejected", "error"].forEach(function (name) {
      var node = card.querySelector('[data-field="' + name + '"]');
      if (node) { node.textContent = progress[name] === null ? "" : String(progress[name]); }
    });
    card.dataset.status = progress.status;
    document.getElementById("rejects-link").hidden = !(progress.status === "done" && progress.rejected > 0);
  }
  function poll() {
    fetch(card.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        show(progress);
        if (progress.status === "queued" || progress.status === "running") { setTimeout(poll, 400); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (card.dataset.status === "queued" || card.dataset.status === "running") { poll(); }
})();

// The live half of the step editor. htmx posts what is typed for the claims check (see the
// hx-* attributes of #live-check); after each check this posts the same fields into the two
// preview frames, which render them through the real pipeline. Without JavaScript, saving the
// draft shows the same previews and findings.
(function () {
  "use strict";
  var trigger = document.getElementById("live-check");
  var form = document.getElementById("step-form");
  if (!trigger || !form) { return; }
  var state = document.getElementById("preview-state");
  var carrier = document.createElement("form");
  carrier.method = "post";
  carrier.action = trigger.dataset.preview;
  carrier.hidden = true;
  document.body.appendChild(carrier);

  function refreshPreviews() {
    carrier.replaceChildren();
    ["csrf_token", "subject", "preheader", "body"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field) { return; }
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = name;
      copy.value = field.value;
      carrier.appendChild(copy);
    });
    ["desktop-preview", "phone-preview"].forEach(function (frame) {
      carrier.target = frame;
      carrier.submit();
    });
    if (state) { state.textContent = "Shows what you typed (not saved yet)."; }
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === trigger) { refreshPreviews(); }
  });
})();

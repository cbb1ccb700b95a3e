// The clinic's embedded signup form: posts JSON to the engine and shows the answer in place.
// Without JavaScript, or if the request fails, the form posts as a plain HTML form instead.
(function () {
  function zone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }
  function show(form, text) {
    var box = form.querySelector("[data-nurture-message]");
    if (box) { box.textContent = text; }
  }
  document.querySelectorAll("form[data-nurture-signup]").forEach(function (form) {
    var field = form.querySelector('input[name="timezone"]');
    if (field) { field.value = zone(); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = function (name) { var f = form.elements[name]; return f ? f.value : ""; };
      var body = {
        email: value("email"),
        first_name: value("first_name") || null,
        consent: !!(form.elements.consent && form.elements.consent.checked),
        timezone: zone() || null,
        source: window.location.href.slice(0, 500)
      };
      if (value("website")) { body.website = value("website"); }
      fetch(form.action, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (response) {
          return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
        })
        .then(function (result) {
          if (result.status === 202) {
            show(form, result.answer.message);
            form.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
          } else if (result.answer.fields) {
            show(form, Object.keys(result.answer.fields).map(function (k) { return result.answer.fields[k]; }).join(" "));
          } else {
            show(form, result.answer.message || "Please try again in a moment.");
          }
        })
        .catch(function () { form.submit(); });
    });
  });
})();

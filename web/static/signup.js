// Fill the hidden time zone field, so emails arrive at a sensible local hour.
(function () {
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll('form input[name="timezone"]').forEach(function (field) { field.value = zone; });
})();

// Drag a row of the emails table to a new place. Without JavaScript the Up and Down buttons do
// the same: this posts the same form the buttons post, with the new place.
(function () {
  "use strict";
  var table = document.querySelector("table.steps");
  if (!table) { return; }
  var dragged = null;
  var rows = function () { return Array.prototype.slice.call(table.tBodies[0].rows); };
  rows().forEach(function (row) {
    if (!row.dataset.move) { return; }
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      rows().forEach(function (r) { r.classList.remove("drop-target"); });
    });
    row.addEventListener("dragover", function (event) {
      if (dragged && dragged !== row) { event.preventDefault(); row.classList.add("drop-target"); }
    });
    row.addEventListener("dragleave", function () { row.classList.remove("drop-target"); });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged || dragged === row) { return; }
      var form = dragged.querySelector("form.inline-form");
      var place = document.createElement("input");
      place.type = "hidden";
      place.name = "to";
      place.value = String(rows().indexOf(row) + 1);
      form.appendChild(place);
      form.submit();
    });
  });
})();

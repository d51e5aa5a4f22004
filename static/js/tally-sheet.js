// The hand-count sheet: each row's sum shown as the chair types, red until it equals the
// ballots collected. Without this script the page still works: the server checks the sums.
(function () {
  "use strict";

  const table = document.querySelector("[data-role=tally-table]");
  if (!table) {
    return;
  }
  const collected = parseInt(table.dataset.collected, 10);

  function update(row) {
    const output = row.querySelector("[data-role=row-sum]");
    if (!output) {
      return;
    }
    let sum = 0;
    let complete = true;
    row.querySelectorAll("input[data-column]").forEach(function (input) {
      const value = input.value.trim();
      if (value === "") {
        complete = false;
        return;
      }
      sum += parseInt(value, 10) || 0;
    });
    output.textContent = String(sum);
    const wrong = complete && sum !== collected;
    output.classList.toggle("text-danger", wrong);
    output.classList.toggle("text-success", complete && !wrong);
  }

  table.querySelectorAll("[data-role=tally-row]").forEach(function (row) {
    row.addEventListener("input", function () {
      update(row);
    });
    update(row);
  });
})();

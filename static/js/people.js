// Officials and delegates: confirm before removing, and filter the delegate list as you type.
(function () {
  "use strict";

  // Forms that remove something carry their confirmation text in a hidden [data-confirm-text].
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.querySelector && form.querySelector("[data-confirm-text]");
    if (text && !window.confirm(text.textContent.trim())) {
      event.preventDefault();
    }
  });

  // Lower case without diacritics, like confidence_vote.lib.text.fold on the server.
  function fold(value) {
    return value
      .normalize("NFD")
      .toLowerCase()
      .replace(/\u0111/g, "d")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  var search = document.getElementById("delegate-search");
  if (!search) {
    return;
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  var shown = document.getElementById("delegate-search-count");
  var none = document.getElementById("delegate-search-none");

  function apply() {
    var words = fold(search.value).split(" ").filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var haystack = row.getAttribute("data-search");
      var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { count += 1; }
    });
    if (shown) {
      shown.textContent = words.length ? shown.getAttribute("data-template").replace("{n}", count) : "";
    }
    if (none) { none.hidden = count !== 0; }
  }

  search.addEventListener("input", apply);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { search.value = ""; apply(); }
  });
  apply();
})();

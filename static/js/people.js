// Officials and delegates: confirm before removing. (The delegates are searched on the
// server, 50 a page: sessions.selectors.delegates_found.)
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
})();

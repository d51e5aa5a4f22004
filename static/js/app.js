// Behaviour every page shares. The Content-Security-Policy allows no inline script or event
// handler attribute, so pages declare what they need with data- attributes and this file acts.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing a value submits its form (the language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  // <button data-confirm="Question?">: asks before the form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();

// The progress of a scan being read: polls the batch's JSON answer every second, moves the
// bar, and reloads the page (which then shows the result) once the reading is done or failed.
(function () {
  "use strict";
  const box = document.querySelector("[data-role=scan-progress]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  const bar = box.querySelector("[data-role=bar]");
  const status = box.querySelector("[data-role=status]");
  const pages = box.querySelector("[data-role=pages]");
  const DELAY = 1000;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    status.textContent = state.status_label;
    if (state.pages_total) {
      pages.textContent = box.dataset.msgPages
        .replace("{done}", state.pages_done)
        .replace("{total}", state.pages_total);
    } else if (state.status === "reading" || state.status === "queued") {
      pages.textContent = box.dataset.msgStarting;
    }
  }

  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, DELAY);
        }
      })
      .catch(() => window.setTimeout(poll, DELAY * 3));
  }

  window.setTimeout(poll, DELAY);
})();

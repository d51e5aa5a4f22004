// The attendance screen: a live search on the server (accents optional, 50 a page) and one
// keystroke per delegate. Without this script the page still works: the search is a GET form,
// the pages are links and every button a plain POST form. With htmx, each mark swaps its row
// and the counter in place.
(function () {
  "use strict";

  const search = document.getElementById("attendance-search");
  const form = document.querySelector("[data-role=search-form]");
  if (!search || !form) {
    return;
  }
  const flash = document.getElementById("attendance-flash");
  const searchButton = document.querySelector("[data-role=search-button]");
  const MARK_FORMS = "form[data-role=present-form], form[data-role=absent-form], form[data-role=clear-form]";
  let selectedId = null;
  // The list shown answers this search; a newer one is being fetched while they differ.
  let shownQuery = search.value;
  let timer = null;
  let loading = null; // the promise of the list being fetched
  let marking = 0; // marks sent and not answered yet
  let afterMarks = []; // what waits for them

  if (searchButton) {
    searchButton.hidden = true; // the list follows the typing
  }

  // The same folding as confidence_vote.lib.text.fold: lower case, no diacritics, đ -> d.
  function fold(text) {
    return text
      .toLowerCase()
      .normalize("NFD")
      .replace(/đ/g, "d")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  // The same as confidence_vote.lib.text.identity_key: case ignored, diacritics kept.
  function exactKey(text) {
    return text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function table() {
    return document.querySelector("[data-role=attendance-table]");
  }

  function canMark() {
    const t = table();
    return Boolean(t) && t.dataset.canMark === "true";
  }

  function rows() {
    const t = table();
    return t ? Array.from(t.querySelectorAll("[data-testid=delegate-row]")) : [];
  }

  // The one delegate whose full name is the whole search: typed with its accents, or else
  // without. The server puts them first (sessions.selectors.delegate_named); Enter takes them.
  function exactRow(query) {
    if (!query.trim()) {
      return null;
    }
    for (const key of [exactKey, fold]) {
      const wanted = key(query);
      const found = rows().filter((row) => key(row.dataset.name || "") === wanted);
      if (found.length) {
        return found.length === 1 ? found[0] : null;
      }
    }
    return null;
  }

  function rowById(id) {
    return id === null ? null : document.getElementById("delegate-" + id);
  }

  function selectedRow() {
    return rowById(selectedId);
  }

  function say(template, row) {
    if (flash) {
      flash.textContent = template.replace("{name}", row ? row.dataset.name : "");
    }
  }

  function select(row, focus) {
    rows().forEach((r) => {
      r.classList.remove("is-selected");
      r.removeAttribute("aria-current");
    });
    selectedId = row ? row.dataset.delegateId : null;
    if (!row) {
      return;
    }
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
    if (focus) {
      row.focus({ preventScroll: true });
    }
    row.scrollIntoView({ block: "nearest" });
  }

  // After a new list: the only delegate found, or the one whose name was typed in full.
  function selectFound() {
    const all = rows();
    const exact = exactRow(shownQuery);
    if (all.length === 1) {
      select(all[0], false);
    } else if (exact) {
      select(exact, false);
    } else {
      select(null);
    }
  }

  function whenMarksDone() {
    return marking === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          afterMarks.push(resolve);
        });
  }

  // Fetch the list for the search box's text (page 1, the same order) and put it in place.
  function load() {
    clearTimeout(timer);
    timer = null;
    const query = search.value;
    const params = new URLSearchParams(new FormData(form));
    params.set("q", query);
    if (!query.trim()) {
      params.delete("q");
    }
    const url = form.action + (params.toString() ? "?" + params.toString() : "");
    const fetched = whenMarksDone()
      .then(() => fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }))
      .then((response) => {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then((html) => {
        if (loading !== fetched) {
          return; // a newer search is on its way
        }
        const current = document.getElementById("attendance-results");
        const holder = document.createElement("div");
        holder.innerHTML = html.trim();
        const fresh = holder.firstElementChild;
        current.replaceWith(fresh);
        if (window.htmx) {
          window.htmx.process(fresh);
        }
        shownQuery = query;
        window.history.replaceState(null, "", url);
        selectFound();
      })
      .catch(() => say(flash ? flash.dataset.msgFailed : "", null))
      .finally(() => {
        if (loading === fetched) {
          loading = null;
        }
      });
    loading = fetched;
    return fetched;
  }

  // The list answers what is typed: now, or once the fetch under way (or due) is in.
  function ready() {
    if (timer !== null || search.value !== shownQuery) {
      return load();
    }
    return loading || Promise.resolve();
  }

  function move(delta) {
    const all = rows();
    if (!all.length) {
      return;
    }
    const index = all.indexOf(selectedRow());
    const next = index === -1 ? (delta > 0 ? 0 : all.length - 1) : index + delta;
    if (next < 0) {
      select(null);
      search.focus();
      return;
    }
    select(all[Math.min(next, all.length - 1)], true);
  }

  function submit(markForm) {
    if (!markForm) {
      return;
    }
    // A row swapped in a moment ago may not be wired up by htmx yet (that happens when it
    // settles); without this a fast second key press would post the whole page.
    if (window.htmx) {
      window.htmx.process(markForm);
    }
    markForm.requestSubmit();
  }

  // Space / Enter on the selected row: present, or back to "not recorded" if present.
  function toggle(row) {
    if (canMark()) {
      submit(row.querySelector("form[data-role=present-form]"));
    }
  }

  // Enter in the search box with one delegate found, or one whose name is the whole search:
  // present (never undone from here), then an empty search box for the next name.
  function checkIn(row) {
    if (!canMark()) {
      return;
    }
    if (row.dataset.attendance === "present") {
      say(flash ? flash.dataset.msgAlready : "", row);
    } else {
      say(flash ? flash.dataset.msgPresent : "", row);
      submit(row.querySelector("form[data-role=present-form]"));
    }
    search.value = "";
    select(null);
    search.focus();
    load(); // after the mark is answered, so the list shows it
  }

  function enterInSearch() {
    ready().then(() => {
      const all = rows();
      const exact = exactRow(shownQuery);
      if (shownQuery.trim() && all.length === 1) {
        checkIn(all[0]);
      } else if (shownQuery.trim() && exact) {
        checkIn(exact);
      } else if (selectedRow()) {
        toggle(selectedRow());
      }
    });
  }

  function openAbsent(row) {
    const details = canMark() && row.querySelector("details[data-role=absent-details]");
    if (!details) {
      return;
    }
    details.open = true;
    const input = details.querySelector("input[name=reason]");
    input.focus();
    input.select();
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    const target = event.target;
    if (target === search) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        ready().then(() => move(1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        ready().then(() => move(-1));
      } else if (event.key === "Enter") {
        event.preventDefault();
        enterInSearch();
      } else if (event.key === "Escape") {
        search.value = "";
        load();
      }
      return;
    }
    if (target.matches("input[name=reason]")) {
      // Enter submits the absence form by itself.
      if (event.key === "Escape") {
        event.preventDefault();
        const row = target.closest("tr");
        target.closest("details").open = false;
        select(row, true);
      }
      return;
    }
    if (target.matches("input, textarea, select")) {
      return;
    }
    const onControl = target.matches("button, summary, a");
    const row = selectedRow();
    switch (event.key) {
      case "ArrowDown":
      case "j":
        event.preventDefault();
        move(1);
        break;
      case "ArrowUp":
      case "k":
        event.preventDefault();
        move(-1);
        break;
      case " ":
      case "Enter":
        if (row && !onControl) {
          event.preventDefault();
          toggle(row);
        }
        break;
      case "v":
      case "V":
        if (row) {
          event.preventDefault();
          openAbsent(row);
        }
        break;
      case "n":
      case "p": {
        // The next or previous page (the pager's access keys, without the modifier).
        const link = document.querySelector(
          event.key === "n" ? "[data-testid=page-next]" : "[data-testid=page-previous]"
        );
        if (link) {
          event.preventDefault();
          link.click();
        }
        break;
      }
      case "/":
      case "Escape":
        event.preventDefault();
        select(null);
        search.focus();
        search.select();
        break;
      default:
        break;
    }
  });

  // A click anywhere in a row selects it, so the keyboard carries on from there.
  document.addEventListener("mousedown", (event) => {
    const row = event.target.closest && event.target.closest("[data-testid=delegate-row]");
    if (row) {
      select(row, false);
    }
  });

  // Marks in flight: a new list is fetched once they are answered. (Counted on the request
  // itself: the form that sent it is swapped out with its row, and events from it no longer
  // reach the page.)
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail && event.detail.elt;
    const xhr = event.detail && event.detail.xhr;
    if (!elt || !elt.matches || !elt.matches(MARK_FORMS) || !xhr) {
      return;
    }
    marking += 1;
    xhr.addEventListener("loadend", () => {
      // After htmx has swapped the answer in (its own handler runs on "load").
      setTimeout(() => {
        marking = Math.max(marking - 1, 0);
        if (marking === 0) {
          const waiting = afterMarks;
          afterMarks = [];
          waiting.forEach((resolve) => resolve());
        }
      }, 0);
    });
  });

  // A row came back from the server: keep the selection on it.
  document.body.addEventListener("htmx:afterSettle", () => {
    const row = selectedRow();
    if (row) {
      const lostFocus = !document.activeElement || document.activeElement === document.body;
      select(row, lostFocus);
    }
  });

  function failed() {
    say(flash ? flash.dataset.msgFailed : "", null);
  }
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);

  selectFound();
  if (search.value) {
    search.select();
  }
})();

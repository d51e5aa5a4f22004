// The attendance screen: live search without diacritics and one keystroke per delegate.
// Without this script the page still works: the search is a GET form and every button
// a plain POST form. With htmx, each mark swaps its row and the counter in place.
(function () {
  "use strict";

  const search = document.getElementById("attendance-search");
  const table = document.querySelector("[data-role=attendance-table]");
  if (!search || !table) {
    return;
  }
  const canMark = table.dataset.canMark === "true";
  const noMatch = document.getElementById("attendance-no-match");
  const flash = document.getElementById("attendance-flash");
  const searchButton = document.querySelector("[data-role=search-button]");
  let selectedId = null;

  if (searchButton) {
    searchButton.hidden = true; // the list filters as you type
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

  // The one delegate whose full name is the whole search: typed with its accents, or else
  // without. It wins over rows that only contain the words (in a position or a unit), so
  // Enter takes it. Two people of the same name: no winner. (As sessions/views/attendance.py.)
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

  function rows() {
    return Array.from(table.querySelectorAll("[data-testid=delegate-row]"));
  }

  function visibleRows() {
    return rows().filter((row) => !row.hidden);
  }

  function rowById(id) {
    return id === null ? null : document.getElementById("delegate-" + id);
  }

  function selectedRow() {
    const row = rowById(selectedId);
    return row && !row.hidden ? row : null;
  }

  function say(template, row) {
    if (!flash) {
      return;
    }
    flash.textContent = template.replace("{name}", row ? row.dataset.name : "");
  }

  function matches(row, words) {
    const text = row.dataset.search || "";
    return words.every((word) => text.includes(word));
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

  function applyFilter() {
    const words = fold(search.value).split(" ").filter(Boolean);
    let shown = 0;
    rows().forEach((row) => {
      row.hidden = !matches(row, words);
      if (!row.hidden) {
        shown += 1;
      }
    });
    if (noMatch) {
      noMatch.hidden = shown !== 0;
    }
    // Keep the no-htmx fallback's redirect on the same search.
    document.querySelectorAll("input[data-q-mirror]").forEach((input) => {
      input.value = search.value;
    });
    const visible = visibleRows();
    const exact = exactRow(search.value);
    if (visible.length === 1) {
      select(visible[0], false);
    } else if (exact) {
      select(exact, false);
    } else if (!selectedRow() || words.length) {
      select(null);
    }
  }

  function move(delta) {
    const visible = visibleRows();
    if (!visible.length) {
      return;
    }
    const index = visible.indexOf(selectedRow());
    let next;
    if (index === -1) {
      next = delta > 0 ? 0 : visible.length - 1;
    } else {
      next = index + delta;
    }
    if (next < 0) {
      select(null);
      search.focus();
      return;
    }
    select(visible[Math.min(next, visible.length - 1)], true);
  }

  function submit(form) {
    if (!form) {
      return;
    }
    // A row swapped in a moment ago may not be wired up by htmx yet (that happens when it
    // settles); without this a fast second key press would post the whole page.
    if (window.htmx) {
      window.htmx.process(form);
    }
    form.requestSubmit();
  }

  // Space / Enter on the selected row: present, or back to "not recorded" if present.
  function toggle(row) {
    if (canMark) {
      submit(row.querySelector("form[data-role=present-form]"));
    }
  }

  // Enter in the search box with one delegate left, or one whose name is the whole search:
  // present (never undone from here),
  // then an empty search box for the next name.
  function checkIn(row) {
    if (!canMark) {
      return;
    }
    if (row.dataset.attendance === "present") {
      say(flash ? flash.dataset.msgAlready : "", row);
    } else {
      say(flash ? flash.dataset.msgPresent : "", row);
      submit(row.querySelector("form[data-role=present-form]"));
    }
    search.value = "";
    applyFilter();
    select(null);
    search.focus();
  }

  function openAbsent(row) {
    const details = canMark && row.querySelector("details[data-role=absent-details]");
    if (!details) {
      return;
    }
    details.open = true;
    const input = details.querySelector("input[name=reason]");
    input.focus();
    input.select();
  }

  search.addEventListener("input", applyFilter);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    const target = event.target;
    if (target === search) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        move(1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        move(-1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        const visible = visibleRows();
        const exact = exactRow(search.value);
        if (visible.length === 1) {
          checkIn(visible[0]);
        } else if (exact) {
          checkIn(exact);
        } else if (selectedRow()) {
          toggle(selectedRow());
        }
      } else if (event.key === "Escape") {
        search.value = "";
        applyFilter();
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
  table.addEventListener("mousedown", (event) => {
    const row = event.target.closest("[data-testid=delegate-row]");
    if (row) {
      select(row, false);
    }
  });

  // A row came back from the server: filter it like the others and keep the selection.
  document.body.addEventListener("htmx:afterSettle", () => {
    const words = fold(search.value).split(" ").filter(Boolean);
    rows().forEach((row) => {
      row.hidden = !matches(row, words);
    });
    document.querySelectorAll("input[data-q-mirror]").forEach((input) => {
      input.value = search.value;
    });
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

  applyFilter();
  if (search.value) {
    search.select();
  }
})();

// Keyboard-first ballot entry: the entry screen (data-mode="entry", saves with fetch) and the
// correction page (data-mode="edit", a plain form post). Without this script both pages still
// work: every mark is a radio button and the form posts normally.
//
// Keys: 1/2/3 high/confidence/low and on to the next row; 0 no box ticked (0 on a row already
// "none", or x: several ticked); Backspace/ArrowUp back a row, ArrowDown forward; i the
// whole-ballot-invalid chooser (then 1-4; 4 "other" opens the note); Esc closes the chooser,
// or clears the ballot; Enter saves once every row has a mark (or the ballot is invalid).
//
// The entry screen keeps a half-typed ballot in the browser's storage (per session, pass and
// user), so that a reload does not lose it. The stored copy goes when a save starts and is never
// written again for that ballot once saved; a refused save stores the kept input again.
(function () {
  "use strict";

  const form = document.querySelector("[data-role=ballot-entry]");
  if (!form) {
    return;
  }
  const mode = form.dataset.mode === "edit" ? "edit" : "entry";
  const rows = Array.from(form.querySelectorAll("[data-testid=official-row]"));
  const rowsBox = form.querySelector("[data-role=entry-rows]");
  const chooser = form.querySelector("[data-testid=whole-invalid]");
  const noteBox = form.querySelector("[data-role=invalid-note]");
  const note = form.querySelector("input[name=invalid_note]");
  const status = form.querySelector("[data-testid=save-status]");
  const retryButton = form.querySelector("[data-role=retry]");
  const numberEl = form.querySelector("[data-role=entry-number]");
  const enteredEl = form.querySelector("[data-role=entered]");
  const completeEl = form.querySelector("[data-role=complete]");
  const currentCounts = form.querySelector("[data-role=current-counts]");
  const restoredNote = form.querySelector("[data-role=draft-restored]");
  const draftKey = mode === "entry" ? form.dataset.draftKey || null : null;
  const token = form.querySelector("input[name=client_token]");
  const reasonInput = form.querySelector("[data-role=reason]");
  const submitButtons = Array.from(form.querySelectorAll("button[type=submit]"));
  const saveButton = form.querySelector("[data-role=save]") || submitButtons[0];
  if (!chooser || rows.some((row) => row.querySelector("input:disabled"))) {
    return; // read-only: a voided ballot or a closed count
  }

  // Waits before each new attempt after a network error or a server error: about 30 s in all,
  // then the Retry button. Every attempt sends the same client token, so the server never
  // makes a second ballot out of a resubmitted save.
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 16000];
  const MARK_KEYS = { 1: "high", 2: "medium", 3: "low" };
  const TYPING_TYPES = ["radio", "checkbox", "button", "submit", "reset", "hidden"];
  const WIDGET_KEYS = ["Enter", "Escape", "Backspace", "ArrowUp", "ArrowDown"];

  let current = 0; // the row the keys act on; rows.length: past the last row
  let chooserOpen = reasonValue() !== "";
  let busy = false; // a save is in flight or waiting to be retried
  let pending = null; // {body, shown, failures, timer}
  let typedAhead = []; // keys pressed during the first attempt of a save

  // --- small helpers ----------------------------------------------------------------------

  function msg(name, values) {
    let text = form.dataset["msg" + name] || "";
    Object.entries(values || {}).forEach(([key, value]) => {
      text = text.split("{" + key + "}").join(String(value));
    });
    return text;
  }

  function say(text, kind) {
    if (!status) {
      return;
    }
    status.textContent = text;
    // Yellow text is hard to read on white: warnings use the darker "emphasis" shade.
    const shade = kind === "warning" ? "warning-emphasis" : kind;
    status.className = "save-status fw-semibold" + (shade ? " text-" + shade : "");
  }

  function newToken() {
    // crypto.randomUUID needs a secure context (https or localhost); on a plain-http intranet
    // address build the same version-4 UUID from getRandomValues.
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [
      hex.slice(0, 8),
      hex.slice(8, 12),
      hex.slice(12, 16),
      hex.slice(16, 20),
      hex.slice(20),
    ].join("-");
  }

  function valueOf(row) {
    const checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  function setValue(row, value) {
    row.querySelectorAll("input[type=radio]").forEach((radio) => {
      radio.checked = radio.value === value;
    });
    row.classList.remove("is-missing");
  }

  function reasonRadios() {
    return Array.from(chooser.querySelectorAll("input[name=invalid_reason]"));
  }

  function reasonValue() {
    const checked = chooser.querySelector("input[name=invalid_reason]:checked");
    return checked ? checked.value : "";
  }

  // --- the half-typed ballot, kept across a reload ---------------------------------------

  function storage() {
    try {
      return window.localStorage || null;
    } catch (error) {
      return null; // storage switched off: the screen works, only without the safety net
    }
  }

  function forgetDraft() {
    const store = storage();
    if (draftKey && store) {
      try {
        store.removeItem(draftKey);
      } catch (error) {
        // nothing to do
      }
    }
  }

  function storeDraft(force) {
    // While a save is on its way nothing is stored: the ballot may be saved already.
    if (!draftKey || (busy && !force)) {
      return;
    }
    const store = storage();
    if (!store) {
      return;
    }
    const marks = {};
    rows.forEach((row) => {
      const value = valueOf(row);
      if (value) {
        marks[row.dataset.order] = value;
      }
    });
    const draft = {
      marks: marks,
      reason: chooserOpen ? reasonValue() : "",
      note: note ? note.value : "",
      // The same token again after a reload: a ballot the server did save is not made twice.
      token: token ? token.value : "",
    };
    try {
      if (Object.keys(marks).length || draft.reason) {
        store.setItem(draftKey, JSON.stringify(draft));
      } else {
        store.removeItem(draftKey);
      }
    } catch (error) {
      // storage full or refused: carry on without it
    }
  }

  function restoreDraft() {
    const store = storage();
    if (!draftKey || !store || rows.some((row) => valueOf(row)) || reasonValue()) {
      return false; // nothing kept, or the page came back with the input already
    }
    let draft = null;
    try {
      draft = JSON.parse(store.getItem(draftKey) || "null");
    } catch (error) {
      draft = null;
    }
    if (!draft || typeof draft !== "object") {
      forgetDraft();
      return false;
    }
    let restored = false;
    const marks = draft.marks && typeof draft.marks === "object" ? draft.marks : {};
    rows.forEach((row) => {
      const value = marks[row.dataset.order];
      const radios = Array.from(row.querySelectorAll("input[type=radio]"));
      if (typeof value === "string" && radios.some((radio) => radio.value === value)) {
        setValue(row, value);
        restored = true;
      }
    });
    const reasons = reasonRadios().filter((radio) => radio.value);
    if (typeof draft.reason === "string" && reasons.some((r) => r.value === draft.reason)) {
      reasonRadios().forEach((radio) => {
        radio.checked = radio.value === draft.reason;
      });
      chooserOpen = true;
      restored = true;
      if (note && typeof draft.note === "string") {
        note.value = draft.note;
      }
    }
    if (!restored) {
      forgetDraft();
      return false;
    }
    if (token && /^[0-9a-f-]{36}$/.test(draft.token || "")) {
      token.value = draft.token;
    }
    if (restoredNote) {
      restoredNote.hidden = false;
    }
    return true;
  }

  // --- what the screen shows --------------------------------------------------------------

  function render() {
    rows.forEach((row, index) => {
      const isCurrent = !chooserOpen && index === current;
      row.classList.toggle("is-current", isCurrent);
      if (isCurrent) {
        row.setAttribute("aria-current", "true");
      } else {
        row.removeAttribute("aria-current");
      }
    });
    rowsBox.classList.toggle("is-void", chooserOpen);
    chooser.classList.toggle("is-open", chooserOpen);
    showCounts();
    storeDraft(false);
    if (noteBox) {
      noteBox.hidden = reasonValue() !== "other";
    }
  }

  function showCounts() {
    // The running counts of the current official (this pass so far), beside the number.
    if (!currentCounts) {
      return;
    }
    const row = !chooserOpen && rows[current];
    const counts = row && row.querySelector("[data-role=row-counts]");
    currentCounts.textContent = "";
    if (counts) {
      currentCounts.append(msg("SoFar", { order: row.dataset.order }) + " ");
      Array.from(counts.childNodes).forEach((node) => {
        currentCounts.append(node.cloneNode(true));
      });
    }
  }

  function moveTo(index) {
    current = Math.max(0, Math.min(index, rows.length));
    render();
    if (current < rows.length) {
      const row = rows[current];
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    } else if (saveButton && mode === "entry") {
      saveButton.focus({ preventScroll: true });
    }
  }

  function mark(value) {
    if (current >= rows.length) {
      const empty = rows.findIndex((row) => !valueOf(row));
      if (empty < 0) {
        return; // every row has a mark: Enter saves, the arrows go back
      }
      current = empty;
    }
    const row = rows[current];
    if (value === "none" && valueOf(row) === "none") {
      value = "several"; // 0 on a row already "none": two or three boxes ticked
    }
    setValue(row, value);
    moveTo(current + 1);
  }

  function openChooser() {
    chooserOpen = true;
    render();
    chooser.scrollIntoView({ block: "nearest" });
  }

  function closeChooser() {
    chooserOpen = false;
    reasonRadios().forEach((radio) => {
      radio.checked = radio.value === "";
    });
    if (note) {
      note.value = "";
    }
    moveTo(Math.min(current, rows.length - 1));
  }

  function setReason(value) {
    reasonRadios().forEach((radio) => {
      radio.checked = radio.value === value;
    });
    chooserOpen = true;
    if (value !== "other" && note) {
      note.value = "";
    }
    render();
    if (value === "other" && note) {
      note.focus();
    }
  }

  function clearBallot() {
    if (restoredNote) {
      restoredNote.hidden = true;
    }
    rows.forEach((row) => setValue(row, ""));
    chooserOpen = false;
    reasonRadios().forEach((radio) => {
      radio.checked = radio.value === "";
    });
    if (note) {
      note.value = "";
    }
    moveTo(0);
  }

  // --- saving -----------------------------------------------------------------------------

  function problem() {
    if (chooserOpen) {
      return reasonValue() ? null : { text: msg("NoReason") };
    }
    const empty = rows.findIndex((row) => !valueOf(row));
    return empty < 0 ? null : { row: empty };
  }

  function report(found) {
    if (found.row !== undefined) {
      const row = rows[found.row];
      row.classList.add("is-missing");
      moveTo(found.row);
      say(msg("Missing", { order: row.dataset.order }), "danger");
    } else {
      say(found.text, "danger");
    }
  }

  function lock(locked) {
    busy = locked;
    form.classList.toggle("is-saving", locked);
    submitButtons.forEach((button) => {
      button.disabled = locked;
    });
  }

  function submitRequest() {
    if (busy) {
      return;
    }
    const found = problem();
    if (found) {
      report(found);
      return;
    }
    if (mode === "edit") {
      if (reasonInput && !reasonInput.value.trim()) {
        reasonInput.focus();
        say(msg("GiveReason"), "danger");
        return;
      }
      form.submit();
      return;
    }
    save();
  }

  function save() {
    lock(true);
    forgetDraft();
    say(msg("Saving"));
    pending = {
      body: new FormData(form), // the same body, token included, for every attempt
      shown: numberEl ? numberEl.textContent.trim() : "",
      failures: 0,
      timer: null,
    };
    attempt();
  }

  async function attempt() {
    if (retryButton) {
      retryButton.hidden = true;
    }
    let response;
    try {
      response = await fetch(form.action || window.location.href, {
        method: "POST",
        body: pending.body,
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      });
    } catch (error) {
      retryLater();
      return;
    }
    if (response.status >= 500) {
      retryLater();
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("application/json")) {
      // A login page after a redirect, a CSRF refusal, a proxy's page: a reload is needed.
      failed(response.status);
      return;
    }
    let data;
    try {
      data = await response.json();
    } catch (error) {
      retryLater(); // cut off on the way back
      return;
    }
    if (response.ok && data.ok) {
      saved(data);
    } else if (response.status === 400) {
      refused(data);
    } else {
      failed(response.status);
    }
  }

  function retryLater() {
    typedAhead = [];
    if (pending.failures < RETRY_DELAYS.length) {
      const delay = RETRY_DELAYS[pending.failures];
      pending.failures += 1;
      say(msg("Retrying", { seconds: delay / 1000 }), "warning");
      pending.timer = window.setTimeout(attempt, delay);
      return;
    }
    say(msg("GaveUp"), "danger");
    storeDraft(true); // a reload now keeps the input, and its token
    if (retryButton) {
      retryButton.hidden = false;
      retryButton.focus();
    }
  }

  function retryNow() {
    if (!pending) {
      return;
    }
    window.clearTimeout(pending.timer);
    pending.failures = 0;
    say(msg("Saving"));
    attempt();
  }

  function saved(data) {
    const shown = pending.shown;
    pending = null;
    lock(false);
    clearBallot();
    if (token) {
      token.value = newToken();
    }
    if (numberEl) {
      numberEl.textContent = data.next_number;
      numberEl.classList.remove("is-advanced");
      void numberEl.offsetWidth; // restart the animation
      numberEl.classList.add("is-advanced");
    }
    if (enteredEl) {
      enteredEl.textContent = data.entered + "/" + data.limit;
    }
    if (completeEl) {
      completeEl.hidden = data.entered < data.limit;
      completeEl.textContent = msg("Complete", { entered: data.entered, limit: data.limit });
    }
    Object.entries(data.progress || {}).forEach(([order, counts]) => {
      const row = form.querySelector('[data-testid=official-row][data-order="' + order + '"]');
      if (!row) {
        return;
      }
      Object.entries(counts).forEach(([value, count]) => {
        const cell = row.querySelector('[data-count="' + value + '"]');
        if (cell) {
          cell.textContent = count;
        }
      });
    });
    showCounts();
    if (shown && String(data.number) !== shown) {
      say(msg("Renumbered", { number: data.number, shown: shown }), "warning");
    } else {
      say(msg("Saved", { number: data.number }), "success");
    }
    replayTyped();
  }

  function refused(data) {
    typedAhead = [];
    pending = null;
    lock(false);
    storeDraft(false); // not saved: keep the input across a reload again
    say((data.errors || []).join(" "), "danger");
    const match = /^mark_(\d+)$/.exec(data.field || "");
    const index = match ? rows.findIndex((row) => row.dataset.order === match[1]) : -1;
    if (index >= 0) {
      rows[index].classList.add("is-missing");
      moveTo(index);
    }
  }

  function failed(statusCode) {
    typedAhead = [];
    pending = null;
    lock(false);
    storeDraft(false);
    say(msg("Failed", { status: statusCode }), "danger");
  }

  // --- keys -------------------------------------------------------------------------------

  function keyOf(event) {
    // The numeric keypad types digits whether Num Lock is on or not.
    const pad = /^Numpad(\d)$/.exec(event.code || "");
    return pad ? pad[1] : event.key;
  }

  function isTyping(target) {
    if (!target || !target.tagName) {
      return false;
    }
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    return target.tagName === "INPUT" && !TYPING_TYPES.includes(target.type);
  }

  // The keys of the ballot widget (not typing in a text field). True when the key was used.
  function act(key, repeat) {
    if (chooserOpen) {
      const radios = reasonRadios().filter((radio) => radio.dataset.key);
      const picked = radios.find((radio) => radio.dataset.key === key);
      if (picked) {
        setReason(picked.value);
      } else if (key === "Escape") {
        closeChooser();
      } else if (key === "Enter") {
        submitRequest();
      } else {
        return false;
      }
      return true;
    }
    if (MARK_KEYS[key] || key === "0" || key === "x" || key === "X") {
      if (!repeat) {
        // A held key does not fill the rows below.
        mark(MARK_KEYS[key] || (key === "0" ? "none" : "several"));
      }
    } else if (key === "Backspace" || key === "ArrowUp") {
      moveTo(current - 1);
    } else if (key === "ArrowDown") {
      moveTo(Math.min(current + 1, rows.length - 1));
    } else if (key === "i" || key === "I") {
      openChooser();
    } else if (key === "Escape") {
      if (mode === "entry") {
        clearBallot();
        say(msg("Cleared"));
      }
    } else if (key === "Enter") {
      submitRequest();
    } else {
      return false;
    }
    return true;
  }

  function isWidgetKey(key) {
    return /^[0-9xXiI]$/.test(key) || WIDGET_KEYS.includes(key);
  }

  function replayTyped() {
    // Keys typed while the last save was on its way belong to the next ballot.
    const keys = typedAhead;
    typedAhead = [];
    keys.forEach((key) => {
      if (busy) {
        typedAhead.push(key); // a replayed Enter started another save
      } else {
        act(key, false);
      }
    });
  }

  function onKey(event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    const target = event.target;
    const key = keyOf(event);
    if (isTyping(target)) {
      if (!form.contains(target) || busy) {
        return;
      }
      if (key === "Escape" && target === note) {
        event.preventDefault();
        closeChooser();
      } else if (key === "Enter" && target !== reasonInput) {
        event.preventDefault();
        submitRequest();
      }
      return; // the reason field submits the correction natively
    }
    // Links and other buttons (Retry, the chooser's) keep their own Enter; the save buttons
    // do not: the widget saves, and a save button disabled during a save would drop the key.
    const onControl =
      target &&
      (target.tagName === "A" || target.tagName === "BUTTON") &&
      !submitButtons.includes(target);
    if (onControl && (key === "Enter" || key === " ")) {
      return;
    }
    if (busy) {
      if (isWidgetKey(key)) {
        event.preventDefault();
        // While the first attempt is on its way a fast typist is already on the next ballot:
        // keep the keys for it. Once a save has to be retried, keys change nothing.
        if (pending && pending.failures === 0 && !event.repeat) {
          typedAhead.push(key);
        }
      }
      return;
    }
    if (act(key, event.repeat)) {
      event.preventDefault();
    }
  }

  // --- wiring -----------------------------------------------------------------------------

  document.addEventListener("keydown", onKey);

  form.addEventListener("submit", (event) => {
    if (mode === "edit") {
      const found = problem();
      if (found) {
        event.preventDefault();
        report(found);
      }
      return; // a plain post
    }
    event.preventDefault();
    submitRequest();
  });

  rows.forEach((row, index) => {
    row.addEventListener("change", () => {
      // A click on a mark: as if its key were pressed on this row.
      if (chooserOpen) {
        chooserOpen = false;
        reasonRadios().forEach((radio) => {
          radio.checked = radio.value === "";
        });
      }
      row.classList.remove("is-missing");
      moveTo(index + 1);
    });
    row.addEventListener("click", (event) => {
      if (event.target === row || !event.target.closest("label, input")) {
        moveTo(index);
      }
    });
  });

  chooser.addEventListener("change", (event) => {
    if (event.target.name !== "invalid_reason") {
      return;
    }
    if (event.target.value === "") {
      closeChooser();
    } else {
      setReason(event.target.value);
    }
  });

  if (retryButton) {
    retryButton.addEventListener("click", retryNow);
  }

  if (note) {
    note.addEventListener("input", () => storeDraft(false));
  }

  if (mode === "entry") {
    restoreDraft();
  }
  const firstEmpty = rows.findIndex((row) => !valueOf(row));
  // The first row without a mark (a held scan's unread row), else the top.
  moveTo(firstEmpty >= 0 ? firstEmpty : 0);
  if (chooserOpen) {
    render();
  }
})();

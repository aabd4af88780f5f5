/*
 * InfraReady questionnaire.
 *
 * 1. Area pages (form[data-autosave]): every answer is saved as soon as it is given. The single answer is posted
 *    as JSON to the REST API (data-answers-url, session authentication with the CSRF token of the page's form);
 *    text inputs are debounced. Each question shows "Saving…", "Saved" or "Error: <message>" in its live region,
 *    and the progress bars follow. Without JavaScript the page is a plain form (the "Save answers" button).
 * 2. No lost updates: each answer is sent with the version the page holds (data-version). When someone else has
 *    saved the question since, the API refuses it (409 stale_answer, their answer in the error's `current`): the
 *    question shows both answers inline, with "Keep theirs" (their answer goes into the fields) and "Overwrite with
 *    mine" (yours is sent again, made from their version).
 *
 * (An assessment page that is being scored follows its scoring job with static/js/jobs.js.)
 */
(() => {
  "use strict";

  const DEBOUNCE_MS = 600;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* The API's one error body, said in one line: {"errors": [{code, message, field?, index?}], "error_count"}. */
  function errorMessage(body, status) {
    if (body && Array.isArray(body.errors) && body.errors.length) {
      return body.errors.map((item) => item.message).join(" ");
    }
    return `the server answered ${status}`;
  }

  class Progress {
    constructor(element) {
      this.element = element;
      this.answered = Number(element.dataset.answered);
      this.total = Number(element.dataset.total);
    }

    add(count) {
      this.answered = Math.max(0, Math.min(this.total, this.answered + count));
      const pct = this.total ? Math.round((100 * this.answered) / this.total) : 0;
      const text = `${this.answered} of ${this.total} answered`;
      this.element.dataset.answered = String(this.answered);
      this.element.querySelector("[data-role=progress-text]").textContent = text;
      const bar = this.element.querySelector("[role=progressbar]");
      bar.setAttribute("aria-valuenow", String(pct));
      bar.setAttribute("aria-valuetext", text);
      const fill = bar.querySelector(".progress-bar");
      fill.style.width = `${pct}%`;
      fill.classList.toggle("bg-success", pct === 100);
    }
  }

  class Question {
    constructor(element, page) {
      this.element = element;
      this.page = page;
      this.id = element.dataset.question;
      this.type = element.dataset.type;
      this.timer = null;
      this.queue = Promise.resolve();
      this.status = element.querySelector("[data-role=status]");
      this.meta = element.querySelector("[data-role=meta]");
      this.valueInputs = Array.from(element.querySelectorAll(`[name="${this.id}-value"]`));
      this.na = element.querySelector(`[name="${this.id}-na"]`);
      this.naReason = element.querySelector(`[name="${this.id}-na_reason"]`);
      this.note = element.querySelector(`[name="${this.id}-note"]`);
      this.evidence = element.querySelector(`[name="${this.id}-evidence_url"]`);
      this.conflictBox = element.querySelector("[data-role=conflict]");
      this.versionInput = element.querySelector("[data-role=version]");
      const initial = this.collect();
      this.lastQueued = initial.payload ? JSON.stringify(initial.payload) : null;
      this.syncNotApplicable();

      element.addEventListener("input", (event) => {
        if (event.target.closest("[data-role=comments]")) return; // comments have forms of their own
        if (event.target.matches("input[type=number], input[type=text], input[type=url], textarea")) {
          this.schedule();
        }
      });
      element.addEventListener("change", (event) => {
        if (event.target.closest("[data-role=comments]")) return;
        if (event.target === this.na) this.syncNotApplicable();
        this.saveNow();
      });
    }

    get answered() {
      return this.element.dataset.answered === "1";
    }

    /* The version of the stored answer this page's answer is made from (0: there was none). */
    get version() {
      return Number(this.element.dataset.version || "0");
    }

    set version(value) {
      this.element.dataset.version = String(value);
      if (this.versionInput) this.versionInput.value = String(value);
    }

    /* With "not applicable" ticked the answer inputs are off and the reason is asked for. */
    syncNotApplicable() {
      if (!this.na) return;
      const na = this.na.checked;
      this.valueInputs.forEach((input) => { input.disabled = na; });
      const reason = this.element.querySelector("[data-role=na-reason]");
      if (reason) reason.hidden = !na;
    }

    /* The answer as the API takes it, or a reason why there is nothing to save yet. */
    collect() {
      const na = Boolean(this.na && this.na.checked);
      const reason = this.naReason ? this.naReason.value.trim() : "";
      const note = this.note ? this.note.value.trim() : "";
      const evidence = this.evidence ? this.evidence.value.trim() : "";
      let value = null;
      if (this.type === "numeric") {
        const input = this.valueInputs[0];
        if (!na && input) {
          const raw = input.value.trim();
          if (input.validity.badInput) return { error: "enter a number." };
          if (input.validity.rangeUnderflow) return { error: `must be at least ${input.min}.` };
          if (input.validity.rangeOverflow) return { error: `must be at most ${input.max}.` };
          if (raw !== "") value = Number(raw);
        }
      } else {
        const checked = this.valueInputs.find((input) => input.checked);
        if (checked) {
          if (this.type === "maturity") value = Number.parseInt(checked.value, 10);
          else if (this.type === "yes_no") value = checked.value === "yes";
          else value = checked.value;
        }
      }
      if (this.evidence && !this.evidence.validity.valid) {
        return { error: "the evidence link must be a web address (https://…)." };
      }
      if (na && !reason) return { wait: "Say why it does not apply to save it." };
      if (!na && value === null && this.type === "numeric" && this.answered) return { clear: true };
      if (!na && value === null) {
        return { wait: note || evidence ? "Give an answer to save the note and link." : "" };
      }
      return {
        payload: {
          question_id: this.id,
          value: na ? null : value,
          not_applicable: na,
          na_reason: na ? reason : "",
          note,
          evidence_url: evidence,
        },
      };
    }

    show(text, kind) {
      this.status.textContent = text;
      this.status.classList.toggle("text-danger", kind === "error");
      this.status.classList.toggle("text-success", kind === "ok");
      this.status.classList.toggle("text-body-secondary", kind === "info");
    }

    schedule() {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.saveNow(true), DEBOUNCE_MS);
    }

    /* Save the answer unless it is what was last sent; while typing, a half-typed value is not an error yet. */
    saveNow(typing = false) {
      window.clearTimeout(this.timer);
      this.timer = null;
      const { payload, error, wait, clear } = this.collect();
      if (error) {
        this.show(typing ? "" : `Error: ${error}`, typing ? "info" : "error");
        return;
      }
      if (clear) {
        // An emptied number removes the answer, once the field is left (not while the user is still typing).
        if (!typing && this.lastQueued !== "clear") {
          this.lastQueued = "clear";
          this.show("Removing…", "info");
          this.queue = this.queue.then(() => this.remove()).catch(() => undefined);
        }
        return;
      }
      if (!payload) {
        this.show(wait || "", "info");
        return;
      }
      const body = JSON.stringify(payload);
      if (body === this.lastQueued) {
        return;
      }
      this.lastQueued = body;
      this.show("Saving…", "info");
      this.queue = this.queue.then(() => this.send(body)).catch(() => undefined);
    }

    async send(body, version = null) {
      // The version is read when the request leaves (after any earlier save of this question has come back).
      const sent = { ...JSON.parse(body), version: version === null ? this.version : version };
      try {
        const response = await fetch(this.page.url, {
          method: "POST",
          credentials: "same-origin",
          keepalive: body.length < 60000,
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": this.page.token,
            "X-Requested-With": "XMLHttpRequest",
          },
          body: JSON.stringify(sent),
        });
        let data = null;
        try {
          data = await response.json();
        } catch (ignored) {
          data = null;
        }
        const stale = response.status === 409 && data && Array.isArray(data.errors)
          ? data.errors.find((item) => item.code === "stale_answer" && item.current)
          : null;
        if (stale) {
          this.conflict(body, stale);
          return;
        }
        if (!response.ok) {
          this.failed(body, `Error: ${errorMessage(data, response.status)}`);
          return;
        }
        const saved = Array.isArray(data) ? data[0] : data;
        this.saved(saved || {});
      } catch (failure) {
        this.failed(body, "Error: not saved, the server could not be reached. Try again.");
      }
    }

    async remove() {
      try {
        const response = await fetch(`${this.page.url}${encodeURIComponent(this.id)}/?version=${this.version}`, {
          method: "DELETE",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": this.page.token, "X-Requested-With": "XMLHttpRequest" },
        });
        if (!response.ok && response.status !== 404) {
          let data = null;
          try {
            data = await response.json();
          } catch (ignored) {
            data = null;
          }
          this.failed("clear", `Error: ${errorMessage(data, response.status)}`);
          return;
        }
        this.element.dataset.answered = "0";
        this.version = 0; // no answer stored: the next one is made from none
        this.page.progress.forEach((progress) => progress.add(-1));
        this.meta.textContent = "Not answered";
        this.show("Answer removed", "ok");
      } catch (failure) {
        this.failed("clear", "Error: not removed, the server could not be reached. Try again.");
      }
    }

    /* A failed save may be tried again with the same answer. */
    failed(body, message) {
      if (this.lastQueued === body) this.lastQueued = null;
      this.show(message, "error");
    }

    /* Someone else saved this question since the page was opened: show both answers and let the user choose. */
    conflict(body, error) {
      const theirs = error.current;
      const box = this.conflictBox;
      this.show("Not saved: changed by someone else", "error");
      if (!box) return;
      box.className = "alert alert-warning mt-2 mb-0 small";
      box.setAttribute("role", "alert");
      box.replaceChildren();
      const lead = document.createElement("p");
      lead.className = "mb-1";
      lead.textContent = error.message;
      const list = document.createElement("dl");
      list.className = "row mb-2";
      const row = (label, text, role) => {
        const dt = document.createElement("dt");
        dt.className = "col-sm-4";
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.className = "col-sm-8 mb-0";
        dd.dataset.role = role;
        dd.textContent = text;
        list.append(dt, dd);
      };
      row(`Their answer (${theirs.answered_by || "someone"})`, theirs.shown, "theirs");
      // Both sides in the server's words (`yours` beside `current.shown`, `selectors.answer_shown`): a level as its
      // radio button reads, a number rounded with its unit ("€166/month" beside "€202/month", never a bare "166").
      row("Your answer", error.yours || "", "yours");
      const keep = document.createElement("button");
      keep.type = "button";
      keep.className = "btn btn-sm btn-outline-secondary me-2";
      keep.textContent = "Keep theirs";
      keep.addEventListener("click", () => this.keepTheirs(theirs));
      const overwrite = document.createElement("button");
      overwrite.type = "button";
      overwrite.className = "btn btn-sm btn-warning";
      overwrite.textContent = "Overwrite with mine";
      overwrite.addEventListener("click", () => {
        this.closeConflict();
        this.show("Saving…", "info");
        this.lastQueued = body;
        this.queue = this.queue.then(() => this.send(body, theirs.version)).catch(() => undefined);
      });
      box.append(lead, list, keep, overwrite);
      box.hidden = false;
      if (this.lastQueued === body) this.lastQueued = null;
    }

    closeConflict() {
      if (!this.conflictBox) return;
      this.conflictBox.hidden = true;
      this.conflictBox.replaceChildren();
    }

    /* Put their answer in the fields; the page now holds their version. */
    keepTheirs(theirs) {
      if (this.type === "numeric") {
        if (this.valueInputs[0]) this.valueInputs[0].value = theirs.value === null ? "" : String(theirs.value);
      } else {
        const raw = this.type === "yes_no" ? (theirs.value ? "yes" : "no") : String(theirs.value);
        this.valueInputs.forEach((input) => { input.checked = !theirs.not_applicable && input.value === raw; });
      }
      if (this.na) this.na.checked = Boolean(theirs.not_applicable);
      if (this.naReason) this.naReason.value = theirs.na_reason || "";
      if (this.note) this.note.value = theirs.note || "";
      if (this.evidence) this.evidence.value = theirs.evidence_url || "";
      this.syncNotApplicable();
      this.version = theirs.version;
      const kept = this.collect();
      this.lastQueued = kept.payload ? JSON.stringify(kept.payload) : null;
      this.meta.textContent = `Answered by ${theirs.answered_by || "someone"}`;
      this.closeConflict();
      this.show("Kept their answer", "ok");
    }

    saved(answer) {
      if (answer.version !== undefined) this.version = answer.version;
      this.closeConflict();
      if (!this.answered) {
        this.element.dataset.answered = "1";
        this.page.progress.forEach((progress) => progress.add(1));
      }
      // A note or a link alone leaves an answer filled in from the inventory the inventory's (its box stays);
      // another value makes it the member's.
      const fromInventory = answer.source === "inventory";
      const inventory = this.element.querySelector("[data-role=inventory]");
      if (inventory) inventory.hidden = !fromInventory;
      if (fromInventory) {
        this.meta.textContent = "Filled in from the inventory; note and link saved just now";
      } else {
        const who = answer.answered_by || "you";
        this.meta.textContent = `Answered by ${who}, just now${answer.not_applicable ? " (not applicable)" : ""}`;
      }
      this.element.classList.remove("border-danger");
      this.element.querySelectorAll(".is-invalid").forEach((input) => input.classList.remove("is-invalid"));
      const errors = this.element.querySelector(".invalid-feedback");
      if (errors) errors.remove();
      this.show("Saved", "ok");
    }
  }

  function setUpAutosave(form) {
    const page = {
      url: form.dataset.answersUrl,
      token: csrfToken(form),
      progress: Array.from(document.querySelectorAll("[data-progress]")).map((el) => new Progress(el)),
    };
    form.querySelectorAll("[data-question]").forEach((element) => new Question(element, page));
  }

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(setUpAutosave);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

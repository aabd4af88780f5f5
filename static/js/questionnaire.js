/*
 * InfraReady questionnaire.
 *
 * 1. Area pages (form[data-autosave]): every answer is saved as soon as it is given. The single answer is posted
 *    as JSON to the REST API (data-answers-url, session authentication with the CSRF token of the page's form);
 *    text inputs are debounced. Each question shows "Saving…", "Saved" or "Error: <message>" in its live region,
 *    and the progress bars follow. Without JavaScript the page is a plain form (the "Save answers" button).
 * 2. Assessment pages that are being scored ([data-poll-status]): poll the status URL and reload when scored.
 */
(() => {
  "use strict";

  const DEBOUNCE_MS = 600;
  const POLL_MS = 1500;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* The API's error body, said in one line: {"problems": [...]}, {"detail": "..."} or {"field": ["..."]}. */
  function errorMessage(body, status) {
    const strip = (text) => String(text).replace(/^\[\d+\]\s*/, "");
    if (body && typeof body === "object") {
      if (Array.isArray(body.problems)) return body.problems.map(strip).join(" ");
      if (typeof body.detail === "string") return body.detail;
      const parts = Object.entries(body).map(([key, value]) =>
        `${key.replace(/_/g, " ")}: ${Array.isArray(value) ? value.map(strip).join(" ") : strip(value)}`);
      if (parts.length) return parts.join(" ");
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
      const initial = this.collect();
      this.lastQueued = initial.payload ? JSON.stringify(initial.payload) : null;
      this.syncNotApplicable();

      element.addEventListener("input", (event) => {
        if (event.target.matches("input[type=number], input[type=text], input[type=url], textarea")) {
          this.schedule();
        }
      });
      element.addEventListener("change", (event) => {
        if (event.target === this.na) this.syncNotApplicable();
        this.saveNow();
      });
    }

    get answered() {
      return this.element.dataset.answered === "1";
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

    async send(body) {
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
          body,
        });
        let data = null;
        try {
          data = await response.json();
        } catch (ignored) {
          data = null;
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
        const response = await fetch(`${this.page.url}${encodeURIComponent(this.id)}/`, {
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

    saved(answer) {
      if (!this.answered) {
        this.element.dataset.answered = "1";
        this.page.progress.forEach((progress) => progress.add(1));
      }
      const inventory = this.element.querySelector("[data-role=inventory]");
      if (inventory) inventory.hidden = true;
      const who = answer.answered_by || "you";
      this.meta.textContent = `Answered by ${who}, just now${answer.not_applicable ? " (not applicable)" : ""}`;
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

  function pollStatus(element) {
    const url = element.dataset.pollStatus;
    let failures = 0;
    const tick = async () => {
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) {
          const body = await response.json();
          failures = 0;
          if (body.status && body.status !== "scoring") {
            window.location.reload();
            return;
          }
        } else {
          failures += 1;
        }
      } catch (failure) {
        failures += 1;
      }
      window.setTimeout(tick, POLL_MS * Math.min(8, 1 + failures));
    };
    window.setTimeout(tick, POLL_MS);
  }

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(setUpAutosave);
    document.querySelectorAll("[data-poll-status]").forEach(pollStatus);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

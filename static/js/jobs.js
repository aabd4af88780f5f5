/*
 * InfraReady background jobs: follow any job's status URL and show where it stands; reload the page (or go to the
 * job's next_url) when it is done. Every status URL answers the one shape (config.jobs.JobStatus):
 *
 *   {kind, state: "queued"|"running"|"succeeded"|"failed", progress: 0-100|null, message, error, next_url, retry_url}
 *
 * Markup: an element with data-job-status="<status URL>" starts the poller. Optional:
 *   data-job-progress="#id"   the progress bar (role=progressbar); default: the element itself when it is one, else
 *                             the first [role=progressbar] inside it. Its aria-valuenow, its .progress-bar's width
 *                             and text follow `progress`.
 *   data-job-message="#id"    where `message` is written; default: the first [data-job-message] inside.
 *   data-job-done="next"      go to next_url when the job succeeded (default: reload the page, which shows the
 *                             outcome, or the error and the retry button).
 *   data-job-interval="1000"  the first interval in ms. It grows by half while nothing changes (up to 15 s), comes
 *                             back to the first when something does, and backs off further (up to 30 s) while the
 *                             server cannot be reached. A 4xx answer stops the poller (the page stays as it is).
 *
 * A static file (no inline script), so the Content-Security-Policy needs no 'unsafe-inline'.
 */
(() => {
  "use strict";

  const MAX_QUIET_MS = 15000;
  const MAX_FAILING_MS = 30000;
  const DONE = new Set(["succeeded", "failed"]);

  function pick(root, selector, fallback) {
    if (selector) return document.querySelector(selector);
    if (fallback === "progressbar" && root.getAttribute("role") === "progressbar") return root;
    return root.querySelector(fallback === "progressbar" ? "[role=progressbar]" : "[data-job-message]");
  }

  function showProgress(bar, progress) {
    if (!bar || progress === null || progress === undefined) return;
    const value = String(Math.max(0, Math.min(100, Math.round(progress))));
    bar.setAttribute("aria-valuenow", value);
    const fill = bar.classList.contains("progress-bar") ? bar : bar.querySelector(".progress-bar");
    if (fill) {
      fill.style.width = `${value}%`;
      fill.textContent = `${value}%`;
    }
  }

  function follow(root) {
    const url = root.dataset.jobStatus;
    const first = Number(root.dataset.jobInterval) || 1000;
    const bar = pick(root, root.dataset.jobProgress, "progressbar");
    const text = pick(root, root.dataset.jobMessage, "message");
    let wait = first;
    let last = "";

    const finish = (job) => {
      if (job.state === "succeeded" && root.dataset.jobDone === "next" && job.next_url) {
        window.location.assign(job.next_url);
      } else {
        window.location.reload();
      }
    };

    const tick = async () => {
      let response;
      try {
        response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      } catch (failure) {
        wait = Math.min(MAX_FAILING_MS, wait * 2);
        window.setTimeout(tick, wait);
        return;
      }
      if (response.status >= 400 && response.status < 500) return; // gone, or no longer ours: stop
      if (!response.ok) {
        wait = Math.min(MAX_FAILING_MS, wait * 2);
        window.setTimeout(tick, wait);
        return;
      }
      let job;
      try {
        job = await response.json();
      } catch (failure) {
        wait = Math.min(MAX_FAILING_MS, wait * 2);
        window.setTimeout(tick, wait);
        return;
      }
      root.dataset.jobState = job.state;
      showProgress(bar, job.progress);
      if (text && job.message) text.textContent = job.message;
      if (DONE.has(job.state)) {
        finish(job);
        return;
      }
      const seen = `${job.state}:${job.progress}:${job.message}`;
      wait = seen === last ? Math.min(MAX_QUIET_MS, Math.round(wait * 1.5)) : first;
      last = seen;
      window.setTimeout(tick, wait);
    };
    window.setTimeout(tick, first);
  }

  function start() {
    document.querySelectorAll("[data-job-status]").forEach(follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

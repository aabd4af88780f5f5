/* InfraReady: a report's page while the report is queued or rendering ([data-report-status]): poll the API's
 * status URL and reload the page when the report is ready or failed. Without JavaScript a <noscript> refresh
 * does the same. */
(() => {
  "use strict";

  function poll(element) {
    const url = element.dataset.reportStatus;
    const every = Number(element.dataset.pollMs) || 3000;
    let failures = 0;
    const tick = async () => {
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) {
          const body = await response.json();
          failures = 0;
          if (body.status === "ready" || body.status === "failed") {
            window.location.reload();
            return;
          }
        } else {
          failures += 1;
        }
      } catch (failure) {
        failures += 1;
      }
      window.setTimeout(tick, every * Math.min(8, 1 + failures));
    };
    window.setTimeout(tick, every);
  }

  function start() {
    document.querySelectorAll("[data-report-status]").forEach(poll);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

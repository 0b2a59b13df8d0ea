/* Report status page: poll the job until its PDF and HTML are ready. */
(function () {
  "use strict";
  const job = JSON.parse(document.getElementById("page-data").textContent);
  const status = document.getElementById("report-status");
  function poll() {
    fetch(job.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((j) => {
        status.textContent = j.status;
        status.className = "badge " + j.status;
        if (j.status === "done") {
          document.getElementById("report-pdf").href = j.pdf;
          document.getElementById("report-html").href = j.html;
          document.getElementById("report-links").hidden = false;
        } else if (j.status !== "failed") {
          setTimeout(poll, 1500);
        }
      })
      .catch(() => setTimeout(poll, 5000));
  }
  if (job.status === "queued" || job.status === "running") poll();
})();

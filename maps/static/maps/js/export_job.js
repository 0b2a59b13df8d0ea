/* Export job page: poll the job until its file is ready, then show the download link. */
(function () {
  "use strict";
  var job = JSON.parse(document.getElementById("page-data").textContent);
  function show(j) {
    var badge = document.getElementById("job-status");
    badge.textContent = j.status; badge.className = "badge " + j.status;
    document.getElementById("job-error").textContent = j.error || "";
    if (j.download) { var a = document.getElementById("job-download"); a.href = j.download; a.hidden = false; }
    return j.status === "done" || j.status === "failed";
  }
  if (show(job)) { return; }
  var timer = setInterval(function () {
    fetch(job.status_url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
      if (show(j)) { clearInterval(timer); }
    });
  }, 1500);
})();

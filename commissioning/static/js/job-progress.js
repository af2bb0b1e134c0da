// A background job's page (templates/core/job.html): while the job is queued or running, ask
// for its progress every two seconds and show it; once it has ended, load the page again to
// show how it ended. Without JavaScript the page has a Refresh link instead.
const root = document.querySelector("[data-job-progress-url]");

if (root && root.dataset.jobFinished === "false") {
  const url = root.dataset.jobProgressUrl;
  const stage = root.querySelector("[data-job-stage]");
  const status = root.querySelector("[data-job-status]");
  const bar = root.querySelector("[data-job-bar]");
  const count = root.querySelector("[data-job-count]");

  const show = (job) => {
    if (stage && job.stage) stage.textContent = job.stage;
    if (status) status.textContent = job.status_label;
    if (bar && count) {
      bar.hidden = !job.total;
      bar.max = job.total || 1;
      bar.value = job.done;
      bar.textContent = `${job.percent || 0}%`;
      count.textContent = job.total ? `${job.done} of ${job.total}` : "";
    }
  };

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        show(job);
      }
    } catch {
      // A missed answer is no matter: ask again next time.
    }
    window.setTimeout(poll, 2000);
  };

  window.setTimeout(poll, 2000);
}

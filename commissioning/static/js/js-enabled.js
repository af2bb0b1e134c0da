// Runs first thing in <body>, before the page is drawn: tells GOV.UK Frontend's styles that
// scripts run (and whether the browser supports its modules). A file, not inline script, so
// the Content-Security-Policy can refuse every inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

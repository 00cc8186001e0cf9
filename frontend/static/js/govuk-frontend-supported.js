// Loaded at the very top of <body>, before anything is painted, so GOV.UK Frontend's JavaScript-only styles apply
// from the first frame. A file (not an inline script) because the Content-Security-Policy allows no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

// Starts GOV.UK Frontend's components (loaded as a module, so only by browsers it supports). The module's address
// comes from the page: in production it has a hashed name that only the template knows.
const tag = document.querySelector("script[data-govuk-frontend]");
if (tag) {
  import(tag.dataset.govukFrontend).then(({ initAll }) => initAll());
}

"""What people see: server-rendered pages (GOV.UK Frontend, htmx) that call the apps' services and selectors."""

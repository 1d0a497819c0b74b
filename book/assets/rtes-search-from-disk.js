// Opened from disk (file://, the offline copy), the browser refuses the requests with which
// Sphinx's search fetches each found page to show an extract under its title: one console
// error per result. There, list the results by their titles only (added to the search page
// by book/_ext/offline_assets.py; DOCUMENTATION_OPTIONS is a top-level const of Sphinx).
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}

// The explorer's table is drawn by JavaScript after the page has loaded, so the browser
// cannot scroll to the row named in the address (#donnee-fig-…) by itself: do it once the
// row exists, and mark it.
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (id.indexOf("donnee-") !== 0) return;
  var tries = 0;
  var timer = window.setInterval(function () {
    var anchor = document.getElementById(id);
    if (anchor || ++tries > 100) window.clearInterval(timer);
    if (!anchor) return;
    var row = anchor.closest("tr") || anchor;
    row.classList.add("rtes-target");
    row.scrollIntoView({block: "center"});
  }, 100);
})();

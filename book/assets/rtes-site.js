// The phone menu (☰) and the page-contents button open their panels as dialogs
// (pydata-sphinx-theme), which give the focus back to what had it before opening; but
// sphinx-book-theme takes the focus off the button as it is clicked (to hide its
// tooltip), so the focus fell back to the top of the page. Give it back to the button that
// opened the panel, for keyboard and screen-reader users (WCAG 2.4.3).
(function () {
  [["pst-primary-sidebar-modal", ".primary-toggle"],
   ["pst-secondary-sidebar-modal", ".secondary-toggle"]].forEach(function (pair) {
    var dialog = document.getElementById(pair[0]);
    var button = document.querySelector(pair[1]);
    if (!dialog || !button) return;
    dialog.addEventListener("close", function () {
      // after the theme's own handler, which focuses what it saved
      window.setTimeout(function () {
        if (!document.activeElement || document.activeElement === document.body) button.focus();
        // the focus shows the button's tooltip (Bootstrap), which on a phone lay over the
        // header's other buttons and took their taps: the reader has just used the button
        var tip = window.bootstrap && window.bootstrap.Tooltip.getInstance(button);
        if (tip) tip.hide();
        // Bootstrap shows it a moment after the focus: cancel that showing too
        function cancel(event) { event.preventDefault(); }
        button.addEventListener("show.bs.tooltip", cancel);
        window.setTimeout(function () { button.removeEventListener("show.bs.tooltip", cancel); }, 1000);
      }, 0);
    });
  });
})();

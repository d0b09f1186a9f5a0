// BrightWindow: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Keyboard shortcuts at the counter: Alt+N new case, "/" focuses the first search box.
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
    if (e.key === "/" && !typing) {
      var search = document.querySelector("input[type=search]");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    }
    if (e.altKey && (e.key === "n" || e.key === "N")) {
      var link = document.querySelector("[data-shortcut=new-case]");
      if (link) { e.preventDefault(); link.click(); }
    }
  });
  // Ask before a destructive or final action.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  // Print button.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });
})();

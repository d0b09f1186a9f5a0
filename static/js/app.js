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
  // A barcode scanner types the ID number and then Enter: in a form marked data-enter-moves, Enter goes to the
  // next field instead of sending the form, so only a button the officer presses decides.
  document.querySelectorAll("form[data-enter-moves]").forEach(function (form) {
    form.addEventListener("keydown", function (e) {
      var el = e.target;
      if (e.key !== "Enter" || !el || el.tagName !== "INPUT" || el.type === "submit" || el.type === "button") { return; }
      e.preventDefault();
      var fields = Array.prototype.filter.call(form.elements, function (f) {
        return !f.disabled && f.type !== "hidden" && f.offsetParent !== null &&
          (f.tagName === "INPUT" || f.tagName === "SELECT" || f.tagName === "TEXTAREA");
      });
      var next = fields[fields.indexOf(el) + 1];
      if (next) { next.focus(); if (next.select && next.type !== "checkbox" && next.type !== "radio") { next.select(); } }
    });
  });
  // After a refused form, the first field to correct has the focus (Django marks it aria-invalid).
  var wrong = document.querySelector("main [aria-invalid=true]");
  if (wrong) { wrong.focus(); }
  // A select that applies itself (the language), and a read-only value to copy (a new API key) selected on focus:
  // no inline handlers, so the Content-Security-Policy can forbid them.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
  // Print button.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
  });
  // On a phone a wide table scrolls inside its box (app.css): say so above it, or its last columns go unseen.
  var hintText = document.body.getAttribute("data-scroll-hint");
  function scrollHints() {
    document.querySelectorAll("main table").forEach(function (table) {
      var wide = table.scrollWidth > table.clientWidth + 16;  // a few pixels hide no column
      var hint = table.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      if (wide && !has && hintText) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "\u2194 " + hintText;
        table.parentNode.insertBefore(hint, table);
      } else if (!wide && has) {
        hint.remove();
      }
    });
  }
  scrollHints();
  window.addEventListener("resize", scrollHints);
  // Phones and narrow tablets: the menu, the user line and the language fold behind one 菜单 button.
  var toggle = document.querySelector(".menu-toggle");
  var topbar = toggle && toggle.closest(".topbar");
  if (toggle && topbar && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 900px)");
    var fold = function () {
      topbar.classList.toggle("menu-folded", narrow.matches);
      toggle.hidden = !narrow.matches;
    };
    var setOpen = function (open) {
      topbar.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () { setOpen(!topbar.classList.contains("menu-open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && topbar.classList.contains("menu-open")) { setOpen(false); toggle.focus(); }
    });
    fold();
    if (narrow.addEventListener) { narrow.addEventListener("change", fold); }
  }
})();

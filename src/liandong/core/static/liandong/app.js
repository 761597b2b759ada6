/* 联动: the little the pages need from a script, served by the app itself (no CDN).
   Everything works without it: the menu is then shown whole, wrapped. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // A refused form: bring its error summary into view, so that a phone shows what to fix.
  ready(function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });

  // A table (or a chart) wider than the screen scrolls sideways inside its card: make it reachable from the
  // keyboard (Tab, then the arrow keys), and say what it is.
  ready(function () {
    document.querySelectorAll(".content div, .content section").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) return;
      var overflow = getComputedStyle(wrap).overflowX;
      if (overflow !== "auto" && overflow !== "scroll") return;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "表格，可左右滚动");
    });
  });

  ready(function () {
    var nav = document.getElementById("mainnav");
    if (!nav) return;
    var toggle = nav.querySelector(".nav-toggle");
    var groups = nav.querySelectorAll(".nav-group details");

    // Phone: one row, the rest behind the 菜单 button.
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        nav.classList.toggle("open", open);
        // The group of the current page opens with the menu: its neighbours are a tap away.
        var current = nav.querySelector(".nav-group summary.active");
        if (open && current) current.parentNode.setAttribute("open", "");
      });
    }

    // Desktop: one group open at a time; a click elsewhere or Escape closes it.
    function closeGroups(except) {
      groups.forEach(function (d) { if (d !== except) d.removeAttribute("open"); });
    }
    groups.forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) closeGroups(d); });
    });
    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) closeGroups(null);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var open = nav.querySelector(".nav-group details[open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
      else if (nav.classList.contains("open") && toggle) { toggle.click(); toggle.focus(); }
    });
  });
})();

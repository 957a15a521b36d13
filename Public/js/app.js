// 党建工作平台 — the few lines of JavaScript: confirm dialogs, print buttons, the org tree.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    if (e.target.matches("[data-print]")) window.print();
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  var tree = document.getElementById("tree");
  if (!tree) return;
  var rows = Array.prototype.slice.call(tree.querySelectorAll(".tree-row"));
  var collapsed = {};

  function render() {
    // a row is hidden when any ancestor is collapsed
    var hiddenUnder = null;
    rows.forEach(function (r) {
      var p = r.dataset.path;
      if (hiddenUnder && p.indexOf(hiddenUnder) === 0 && p !== hiddenUnder) { r.classList.add("hidden"); return; }
      hiddenUnder = null;
      r.classList.remove("hidden");
      if (collapsed[p]) hiddenUnder = p;
    });
    rows.forEach(function (r) {
      var b = r.querySelector(".twisty");
      if (b) b.setAttribute("aria-expanded", collapsed[r.dataset.path] ? "false" : "true");
    });
  }

  var from = parseInt(tree.dataset.collapseFrom || "99", 10);
  rows.forEach(function (r) {
    if (r.querySelector(".twisty") && parseInt(r.dataset.depth, 10) >= from - 1) collapsed[r.dataset.path] = true;
  });
  render();

  tree.addEventListener("click", function (e) {
    var b = e.target.closest(".twisty");
    if (!b) return;
    var p = b.parentNode.dataset.path;
    collapsed[p] = !collapsed[p];
    render();
  });
  document.getElementById("tree-expand").addEventListener("click", function () { collapsed = {}; render(); });
  document.getElementById("tree-collapse").addEventListener("click", function () {
    rows.forEach(function (r) { if (r.querySelector(".twisty") && r.dataset.depth !== "0") collapsed[r.dataset.path] = true; });
    render();
  });

  var search = document.getElementById("tree-search");
  var empty = document.getElementById("tree-empty");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = search.value.trim().toLowerCase();
      rows.forEach(function (r) { r.classList.remove("match"); });
      if (!q) { empty.hidden = true; render(); return; }
      // show matches and their ancestors, hide the rest
      var keep = {};
      var n = 0;
      rows.forEach(function (r) {
        if (r.dataset.text.toLowerCase().indexOf(q) >= 0) {
          r.classList.add("match"); n++;
          var parts = r.dataset.path.split("/").filter(Boolean), acc = "/";
          parts.forEach(function (id) { acc += id + "/"; keep[acc] = true; });
        }
      });
      rows.forEach(function (r) { r.classList.toggle("hidden", !keep[r.dataset.path]); });
      empty.hidden = n > 0;
    }, 120);
  });
})();

// 党建工作平台 — the few lines of JavaScript: confirm dialogs, print buttons, the org tree.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    // the button that was pressed may ask on its own (提交申报, 属实), else the form does
    var b = e.submitter, f = e.target;
    var ask = (b && b.dataset && b.dataset.confirm) || (f.dataset && f.dataset.confirm);
    if (ask && !window.confirm(ask)) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    if (e.target.matches("[data-print]")) window.print();
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // an org search box (a scope too large for a select): suggestions from the server as one types
  document.querySelectorAll("input[data-org-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list")), timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (!q || q === last) return;
        last = q;
        fetch("/orgs/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.textContent = "";
            items.forEach(function (it) {
              var o = document.createElement("option");
              o.value = it.value; o.label = it.label; o.textContent = it.label;
              list.appendChild(o);
            });
          }).catch(function () {});
      }, 200);
    });
  });

  // The org tree: rows come in pre-order, each knows its parent's position (data-p).
  var tree = document.getElementById("tree");
  if (!tree) return;
  var rows = Array.prototype.slice.call(tree.querySelectorAll(".tree-row"));
  var parent = rows.map(function (r) { return parseInt(r.dataset.p, 10); });
  var text = rows.map(function (r) { return r.textContent.replace(/\s+/g, " ").toLowerCase(); });
  var collapsed = rows.map(function () { return false; });

  function render() {
    var hidden = [];
    rows.forEach(function (r, i) {
      var p = parent[i];
      hidden[i] = p >= 0 && (hidden[p] || collapsed[p]);
      r.classList.toggle("hidden", hidden[i]);
      var b = r.querySelector(".twisty");
      if (b) b.setAttribute("aria-expanded", collapsed[i] ? "false" : "true");
    });
  }

  function collapseFrom(depth) {
    rows.forEach(function (r, i) { collapsed[i] = !!r.querySelector(".twisty") && parseInt(r.dataset.d, 10) >= depth; });
  }
  collapseFrom(parseInt(tree.dataset.collapseFrom || "99", 10));
  render();

  tree.addEventListener("click", function (e) {
    var b = e.target.closest(".twisty");
    if (!b) return;
    var i = rows.indexOf(b.parentNode);
    collapsed[i] = !collapsed[i];
    render();
  });
  var expand = document.getElementById("tree-expand"), collapse = document.getElementById("tree-collapse");
  if (expand) expand.addEventListener("click", function () { collapseFrom(999); render(); });
  if (collapse) collapse.addEventListener("click", function () { collapseFrom(1); render(); });

  // a large tree is on the page a window at a time: its search goes to the server (the form)
  var search = document.getElementById("tree-search");
  if (!search || search.dataset.server) return;
  var empty = document.getElementById("tree-empty");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = search.value.trim().toLowerCase();
      rows.forEach(function (r) { r.classList.remove("match"); });
      if (!q) { empty.hidden = true; render(); return; }
      // show the matches and their ancestors, hide the rest
      var keep = rows.map(function () { return false; });
      var n = 0;
      rows.forEach(function (r, i) {
        if (text[i].indexOf(q) < 0) return;
        r.classList.add("match"); n++;
        for (var j = i; j >= 0 && !keep[j]; j = parent[j]) keep[j] = true;
      });
      rows.forEach(function (r, i) { r.classList.toggle("hidden", !keep[i]); });
      empty.hidden = n > 0;
    }, 120);
  });
})();

// survey builder: "添加一题" copies the last question row with the next index
(function () {
  var btn = document.getElementById("add-question");
  if (!btn) return;
  btn.addEventListener("click", function () {
    var list = document.getElementById("question-list");
    var items = list.querySelectorAll("li.question");
    if (items.length >= 50) return;
    var last = items[items.length - 1];
    var copy = last.cloneNode(true);
    var n = items.length;
    copy.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace(/^q\d+_/, "q" + n + "_");
      if (el.type === "checkbox") el.checked = true;
      else if (el.tagName !== "SELECT") el.value = "";
    });
    list.appendChild(copy);
    copy.querySelector("input[type=text], input:not([type])").focus();
  });
})();

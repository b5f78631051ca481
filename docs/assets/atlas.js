/* Open Model Atlas: progressive enhancement. Every page works without it; with it,
   tables marked .oma-sortable sort by any column, a filter panel (form[data-table], drawn
   by the generator) filters its table by the rows' data-* attributes or cells, keeping the
   state in the URL so that a view can be shared, and /compare/ draws 2 to 4 models side by
   side from api/models/ORG/NAME.json. No third-party code, no network requests elsewhere. */
(function () {
  "use strict";

  var RANK = { open: 3, partial: 2, unknown: 1, closed: 0 };
  var STATUS_RE = /\boma-(open|partial|closed|unknown)\b/;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function statusOf(cell) {
    var m = cell && STATUS_RE.exec(cell.className);
    return m ? m[1] : "";
  }

  function sortKeys(rows, index) {
    return rows.map(function (row) {
      var cell = row.cells[index];
      if (!cell) return "";
      if (cell.hasAttribute("data-sort")) {
        var n = Number(cell.getAttribute("data-sort"));
        if (!isNaN(n)) return n;
      }
      var s = statusOf(cell);
      if (s) return RANK[s];
      return cell.textContent.trim().toLowerCase();
    });
  }

  function sortTable(table, index, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keys = sortKeys(rows, index);
    var order = rows.map(function (_, i) { return i; });
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      var c = (typeof x === "number" && typeof y === "number") ? x - y
        : String(x).localeCompare(String(y));
      return c ? direction * c : a - b;
    });
    var frag = document.createDocumentFragment();
    order.forEach(function (i) { frag.appendChild(rows[i]); });
    body.appendChild(frag); // one insertion, one layout
    each(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i === index ? (direction > 0 ? "ascending" : "descending") : "none");
    });
  }

  function makeSortable(table, onSort) {
    if (table.dataset.omaSortable) return;
    table.dataset.omaSortable = "1";
    each(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "oma-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      button.title = "Sort by " + (th.getAttribute("title") || button.textContent.trim());
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        sortTable(table, index, direction);
        if (onSort) onSort(index, direction);
      });
    });
  }

  /* ---- filters ---- */

  function readControls(panel) {
    var controls = [];
    each(panel.querySelectorAll("[data-filter]"), function (el) {
      var c = { key: el.getAttribute("data-filter"), type: el.getAttribute("data-type"),
                attr: el.getAttribute("data-attr"), el: el,
                label: el.tagName === "DETAILS" ? el.querySelector("summary").firstChild.textContent.replace(/:\s*$/, "")
                  : el.parentNode.firstChild.textContent.trim() };
      var cell = el.getAttribute("data-cell");
      c.cell = cell === null ? -1 : Number(cell);
      controls.push(c);
    });
    return controls;
  }

  function valuesOf(c) {
    if (c.type === "multi") {
      var out = [];
      each(c.el.querySelectorAll("input:checked"), function (box) { out.push(box.value); });
      return out;
    }
    return c.el.value === "" ? [] : [c.el.value];
  }

  function setValues(c, values) {
    if (c.type === "multi") {
      each(c.el.querySelectorAll("input"), function (box) { box.checked = values.indexOf(box.value) >= 0; });
    } else {
      c.el.value = values.length ? values[0] : "";
    }
  }

  function test(c, want, value) {
    if (!want.length) return true;
    if (c.type === "min") return value !== "" && Number(value) >= Number(want[0]);
    if (c.type === "max") return value !== "" && Number(value) <= Number(want[0]);
    if (c.type === "has") return (" " + value + " ").indexOf(" " + want[0] + " ") >= 0;
    if (c.type === "multi") return want.indexOf(value) >= 0;
    return value === want[0];
  }

  function setupFilters(panel) {
    var table = document.getElementById(panel.getAttribute("data-table"));
    if (!table || panel.dataset.omaReady) return;
    panel.dataset.omaReady = "1";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var controls = readControls(panel);
    // Read every row's values once: filtering then touches the DOM only to hide or show.
    var data = rows.map(function (row) {
      return controls.map(function (c) {
        return c.cell >= 0 ? statusOf(row.cells[c.cell]) : (row.getAttribute("data-" + c.attr) || "");
      });
    });
    var shown = rows.map(function (row) { return !row.hidden; });
    var count = panel.querySelector(".oma-count");
    var reset = panel.querySelector(".oma-reset");
    var sortState = null;

    function matchCount(wants, skip) {
      var n = 0;
      for (var i = 0; i < data.length; i++) {
        var ok = true;
        for (var j = 0; j < controls.length && ok; j++) {
          if (j !== skip) ok = test(controls[j], wants[j], data[i][j]);
        }
        if (ok) n += 1;
      }
      return n;
    }

    function writeUrl() {
      var params = new URLSearchParams();
      controls.forEach(function (c) {
        valuesOf(c).forEach(function (v) { params.append(c.key, v); });
      });
      if (sortState) params.set("sort", sortState.index + (sortState.direction < 0 ? "-desc" : ""));
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function apply(updateUrl) {
      var wants = controls.map(valuesOf);
      var total = 0;
      for (var i = 0; i < rows.length; i++) {
        var ok = true;
        for (var j = 0; j < controls.length && ok; j++) ok = test(controls[j], wants[j], data[i][j]);
        if (ok !== shown[i]) { rows[i].hidden = !ok; shown[i] = ok; }
        if (ok) total += 1;
      }
      controls.forEach(function (c, j) {
        if (c.type !== "multi") return;
        var sum = c.el.querySelector(".oma-multi-sum");
        sum.textContent = wants[j].length === 0 ? "any" : wants[j].length === 1
          ? c.el.querySelector("input[value='" + wants[j][0].replace(/'/g, "\\'") + "']").parentNode.textContent.trim()
          : wants[j].length + " chosen";
      });
      var text = "Showing " + total + " of " + rows.length + " models";
      if (total === 0) {
        var best = null;
        controls.forEach(function (c, j) {
          if (!wants[j].length) return;
          var n = matchCount(wants, j);
          if (!best || n > best.n) best = { c: c, n: n };
        });
        text = "No model matches these filters." + (best && best.n
          ? " Relax \u201c" + best.c.label + "\u201d: " + best.n + " would match."
          : " Clear some filters.");
      }
      count.textContent = text;
      if (updateUrl) writeUrl();
    }

    var params = new URLSearchParams(location.search);
    controls.forEach(function (c) {
      var values = params.getAll(c.key);
      if (values.length) setValues(c, values);
      c.el.addEventListener(c.el.tagName === "INPUT" ? "input" : "change", function () { apply(true); });
    });
    reset.addEventListener("click", function () {
      controls.forEach(function (c) { setValues(c, []); });
      apply(true);
    });
    makeSortable(table, function (index, direction) {
      sortState = { index: index, direction: direction };
      writeUrl();
    });
    var sort = params.get("sort");
    if (sort) {
      var index = parseInt(sort, 10);
      if (!isNaN(index) && index < table.tHead.rows[0].cells.length) {
        sortState = { index: index, direction: /-desc$/.test(sort) ? -1 : 1 };
        sortTable(table, index, sortState.direction);
      }
    }
    apply(false);
  }

  /* ---- pick models to compare from a table ---- */

  function modelIdOf(row) {
    var link = row.cells[0] && row.cells[0].querySelector("a[href*='models/']");
    var m = link && /models\/(.+?)\/?$/.exec(link.getAttribute("href"));
    return m ? decodeURIComponent(m[1]) : null;
  }

  function setupPicker(button) {
    var table = document.getElementById(button.getAttribute("data-table"));
    var go = button.parentNode.querySelector(".oma-compare-go");
    if (!table || !go || button.dataset.omaReady) return;
    button.dataset.omaReady = "1";
    var base = go.getAttribute("href");
    var picked = [];
    function update() {
      go.textContent = "Compare (" + picked.length + ")";
      go.setAttribute("href", base + (picked.length ? "?" + picked.map(function (id) {
        return "m=" + encodeURIComponent(id);
      }).join("&") : ""));
    }
    button.addEventListener("click", function () {
      if (table.classList.contains("oma-picking")) return;
      table.classList.add("oma-picking");
      button.textContent = "Tick 2 to 4 models";
      each(table.tBodies[0].rows, function (row) {
        var id = modelIdOf(row);
        if (!id) return;
        var box = document.createElement("input");
        box.type = "checkbox";
        box.className = "oma-pick";
        box.value = id;
        box.setAttribute("aria-label", "Compare " + row.cells[0].textContent.trim());
        row.cells[0].insertBefore(box, row.cells[0].firstChild);
      });
    });
    table.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.classList || !box.classList.contains("oma-pick")) return;
      var at = picked.indexOf(box.value);
      if (box.checked && at < 0) {
        if (picked.length >= 4) { box.checked = false; return; }
        picked.push(box.value);
      } else if (!box.checked && at >= 0) {
        picked.splice(at, 1);
      }
      update();
    });
    update();
  }

  /* ---- compare page ---- */

  var CRITERIA = [["datasets", "Training data sets"], ["weights", "Full weights"],
    ["evaluation_code", "Evaluation code"], ["finetuning_code", "Fine-tuning code"],
    ["training_metrics", "Training metrics / logs"], ["license", "OSI-approved license"]];
  var SYMBOL = { open: "\u2713", partial: "\u25d0", closed: "\u2717", unknown: "?" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmtParams(v) {
    if (typeof v !== "number") return "unknown";
    return v < 1 ? (v * 1000) + "M" : v + "B";
  }

  function compareRows(models) {
    var rows = [["Verdict", function (m) { return { text: m.verdict, cls: m.verdict === "open source" ? "oma-open" : m.verdict === "not yet verified" ? "oma-unknown" : "oma-closed" }; }]];
    CRITERIA.forEach(function (c) {
      rows.push([c[1], function (m) {
        var s = m.criteria[c[0]];
        var url = null;
        (m.evidence[c[0]] || []).some(function (e) { if (e.urls.length) { url = e.urls[0]; return true; } return false; });
        return { text: SYMBOL[s] + " " + s, cls: "oma-" + s, url: url, key: s };
      }]);
    });
    var facts = [
      ["Weights license", function (m) { return m.license || "unknown"; }],
      ["License class", function (m) { return m.license_class; }],
      ["Weights access", function (m) { return m.weights_access || "unknown"; }],
      ["Parameters", function (m) { return fmtParams(m.params_b); }],
      ["Context (tokens)", function (m) { return typeof m.context_length === "number" ? m.context_length.toLocaleString("en") : "unknown"; }],
      ["Released", function (m) { return m.released; }],
      ["Kind", function (m) { return m.kind + (m.derivative ? " (fine-tune of " + m.base + ")" : ""); }],
      ["What it is for", function (m) { return (m.tasks || []).join(", ") || "\u2014"; }],
      ["Inputs", function (m) { return (m.modalities || []).join(", "); }],
      ["OSI OSAID 1.0 (approx.)", function (m) { return m.osaid; }],
      ["Model Openness Framework", function (m) { return m.mof; }],
      ["Hub downloads (30 d)", function (m) { return m.hub ? (m.hub.downloads || 0).toLocaleString("en") : "not yet synced"; }],
      ["Checked on", function (m) { return m.checked || "not yet"; }]
    ];
    facts.forEach(function (f) { rows.push([f[0], function (m) { return { text: f[1](m) }; }]); });
    return rows;
  }

  function drawCompare(box, root, models, ids) {
    box.textContent = "";
    var table = el("table", { "class": "oma-table oma-compare-table", id: "oma-compare-table" });
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Criterion or fact"));
    models.forEach(function (m, i) {
      var th = el("th", { scope: "col" });
      var a = el("a", { href: root + m.page }, m.name);
      th.appendChild(a);
      th.appendChild(el("br"));
      th.appendChild(el("span", { "class": "oma-muted" }, m.family_name));
      var remove = el("a", { href: "?" + ids.filter(function (_, j) { return j !== i; }).map(function (id) { return "m=" + encodeURIComponent(id); }).join("&"), "class": "oma-remove", "aria-label": "Remove " + m.name }, "remove");
      th.appendChild(document.createTextNode(" ")); th.appendChild(remove);
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    var differ = 0;
    compareRows(models).forEach(function (spec) {
      var cells = models.map(spec[1]);
      var same = cells.every(function (c) { return c.text === cells[0].text; });
      var tr = el("tr", same ? {} : { "class": "oma-diff", "data-differs": "yes" });
      if (!same) differ += 1;
      var th = el("th", { scope: "row" }, (same ? "" : "\u2260 ") + spec[0]);
      if (!same) th.setAttribute("title", "the models differ here");
      tr.appendChild(th);
      cells.forEach(function (c) {
        var td = el("td", c.cls ? { "class": c.cls } : {});
        if (c.url) td.appendChild(el("a", { href: c.url, rel: "nofollow" }, c.text));
        else td.textContent = c.text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
    return differ;
  }

  function setupCompare(box) {
    if (box.dataset.omaReady) return;
    box.dataset.omaReady = "1";
    var root = box.getAttribute("data-root") || "../";
    var status = document.getElementById("oma-compare-status");
    var form = document.getElementById("oma-compare-pick");
    var ids = new URLSearchParams(location.search).getAll("m").filter(function (id, i, all) {
      return id && all.indexOf(id) === i;
    }).slice(0, 4);
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var input = form.querySelector("input[name=m]");
        var value = input.value.trim();
        var list = document.getElementById("oma-model-list");
        if (list && value) { // a typed name counts as its id
          each(list.options, function (o) { if (o.textContent.toLowerCase() === value.toLowerCase()) value = o.value; });
        }
        if (!value || ids.indexOf(value) >= 0) return;
        if (ids.length >= 4) { status.textContent = "Four models at most: remove one first."; return; }
        location.search = ids.concat([value]).map(function (id) { return "m=" + encodeURIComponent(id); }).join("&");
      });
    }
    if (!ids.length) { status.textContent = "Choose two to four models."; return; }
    status.textContent = "Loading\u2026";
    Promise.all(ids.map(function (id) {
      return fetch(root + "api/models/" + id + ".json").then(function (r) {
        if (!r.ok) throw new Error(id);
        return r.json();
      }).catch(function () { return { missing: id }; });
    })).then(function (models) {
      var missing = models.filter(function (m) { return m.missing; }).map(function (m) { return m.missing; });
      var found = models.filter(function (m) { return !m.missing; });
      var kept = ids.filter(function (id) { return missing.indexOf(id) < 0; });
      var differ = drawCompare(box, root, found, kept);
      var text = found.length < 2 ? "Add at least one more model to compare."
        : "Comparing " + found.length + " models: they differ in " + differ + " rows (marked \u2260).";
      if (missing.length) text += " Not in the atlas: " + missing.join(", ") + ".";
      status.textContent = text;
    });
  }

  function nameSearchDialog() {
    // Material's search overlay is a dialog without an accessible name.
    each(document.querySelectorAll(".md-search[role=dialog]"), function (d) {
      if (!d.hasAttribute("aria-label")) d.setAttribute("aria-label", "Search the atlas");
    });
  }

  function dataDate() {
    var source = document.querySelector("[data-oma-data-date]");
    var slot = document.getElementById("oma-footer-date");
    if (source && slot) slot.textContent = " \u00b7 Data checked up to " + source.getAttribute("data-oma-data-date");
  }

  function init() {
    nameSearchDialog();
    dataDate();
    each(document.querySelectorAll("form[data-table]"), setupFilters);
    each(document.querySelectorAll(".oma-pick-start"), setupPicker);
    each(document.querySelectorAll("#oma-compare"), setupCompare);
    each(document.querySelectorAll("table.oma-sortable"), function (t) { makeSortable(t); });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Open Model Atlas: progressive enhancement. Every page works without it; with it,
   tables marked .oma-sortable sort by any column, and a table with a filter panel
   (data-filters) filters by its rows' data-* attributes, keeping the state in the URL
   so that a view can be shared. No third-party code, no network requests. */
(function () {
  "use strict";

  var STATUS_LABELS = { open: "open", partial: "partial", closed: "closed", unknown: "unknown" };

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    var num = Number(raw);
    return raw !== "" && !isNaN(num) ? num : raw.trim().toLowerCase();
  }

  function sortTable(table, index, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (typeof x === "number" && typeof y === "number") return direction * (x - y);
      return direction * String(x).localeCompare(String(y));
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i === index ? (direction > 0 ? "ascending" : "descending") : "none");
    });
  }

  function makeSortable(table, onSort) {
    if (table.dataset.omaSortable) return;
    table.dataset.omaSortable = "1";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "oma-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      button.title = "Sort by " + button.textContent.trim();
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        sortTable(table, index, direction);
        if (onSort) onSort(index, direction);
      });
    });
  }

  function distinct(rows, key) {
    var seen = {};
    rows.forEach(function (row) {
      var value = row.getAttribute("data-" + key);
      if (value) seen[value] = true;
    });
    return Object.keys(seen).sort();
  }

  function addSelect(panel, key, label, values, labels) {
    var wrap = document.createElement("label");
    wrap.textContent = label;
    var select = document.createElement("select");
    select.name = key;
    select.setAttribute("data-filter", key);
    var any = document.createElement("option");
    any.value = "";
    any.textContent = "any";
    select.appendChild(any);
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = (labels && labels[value]) || value;
      select.appendChild(option);
    });
    wrap.appendChild(select);
    panel.appendChild(wrap);
    return select;
  }

  function addNumber(panel, key, label) {
    var wrap = document.createElement("label");
    wrap.textContent = label;
    var input = document.createElement("input");
    input.type = "number";
    input.min = "0";
    input.step = "any";
    input.name = key;
    input.setAttribute("data-filter", key);
    input.size = 6;
    wrap.appendChild(input);
    panel.appendChild(wrap);
    return input;
  }

  function setupFilters(panel) {
    var table = document.getElementById(panel.getAttribute("data-table"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var spec = JSON.parse(panel.getAttribute("data-filters"));
    var controls = [];
    spec.forEach(function (f) {
      if (f.type === "min" || f.type === "max") {
        controls.push({ spec: f, el: addNumber(panel, f.key, f.label) });
      } else {
        var values = f.values || distinct(rows, f.attr || f.key);
        var labels = f.labels || (f.status ? STATUS_LABELS : null);
        controls.push({ spec: f, el: addSelect(panel, f.key, f.label, values, labels) });
      }
    });
    var count = document.createElement("p");
    count.className = "oma-count";
    count.setAttribute("role", "status");
    count.setAttribute("aria-live", "polite");
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "md-button oma-reset";
    reset.textContent = "Clear filters";
    panel.appendChild(reset);
    panel.appendChild(count);
    var sortState = null;

    function matches(row) {
      return controls.every(function (c) {
        var want = c.el.value;
        if (want === "") return true;
        var attr = row.getAttribute("data-" + (c.spec.attr || c.spec.key)) || "";
        if (c.spec.type === "min") return attr !== "" && Number(attr) >= Number(want);
        if (c.spec.type === "max") return attr !== "" && Number(attr) <= Number(want);
        return attr === want;
      });
    }

    function writeUrl() {
      var params = new URLSearchParams();
      controls.forEach(function (c) { if (c.el.value !== "") params.set(c.spec.key, c.el.value); });
      if (sortState) params.set("sort", sortState.index + (sortState.direction < 0 ? "-desc" : ""));
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function apply(updateUrl) {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = matches(row);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = "Showing " + shown + " of " + rows.length + " models";
      if (updateUrl) writeUrl();
    }

    var params = new URLSearchParams(location.search);
    controls.forEach(function (c) {
      var value = params.get(c.spec.key);
      if (value !== null) c.el.value = value;
      c.el.addEventListener(c.el.tagName === "INPUT" ? "input" : "change", function () { apply(true); });
    });
    reset.addEventListener("click", function () {
      controls.forEach(function (c) { c.el.value = ""; });
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
    panel.hidden = false;
    apply(false);
  }

  function nameSearchDialog() {
    // Material's search overlay is a dialog without an accessible name.
    Array.prototype.forEach.call(document.querySelectorAll(".md-search[role=dialog]"), function (d) {
      if (!d.hasAttribute("aria-label")) d.setAttribute("aria-label", "Search the atlas");
    });
  }

  function init() {
    nameSearchDialog();
    Array.prototype.forEach.call(document.querySelectorAll("[data-filters]"), setupFilters);
    Array.prototype.forEach.call(document.querySelectorAll("table.oma-sortable"), function (t) {
      makeSortable(t);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Progressive enhancement only: the report is complete without this script.
   Each section marked data-filter-section gets a text filter (every word must appear in the
   row); the findings also get a minimum severity, a filter per rule, provider and agent
   (select[data-filter-key=NAME] keeps the rows whose data-NAME equals the choice, or, with
   data-filter-list, whose JSON list data-NAME holds it) and a sort (select[data-sort=NAME]
   orders by data-NAME; the empty choice restores the page's order, worst first). Printing
   opens every closed <details> and closes them again afterwards. */
(function () {
  "use strict";

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function listOf(raw) {
    try {
      var values = JSON.parse(raw || "[]");
      return Array.isArray(values) ? values : [];
    } catch (error) {
      return [];
    }
  }

  function keeps(row, select) {
    if (select.value === "") {
      return true;
    }
    var raw = row.getAttribute("data-" + select.getAttribute("data-filter-key")) || "";
    if (select.hasAttribute("data-filter-list")) {
      return listOf(raw).indexOf(select.value) !== -1;
    }
    return raw === select.value;
  }

  function sortRows(body, rows, key) {
    var keyed = rows.map(function (row, index) {
      return { row: row, index: index, value: key ? row.getAttribute("data-" + key) || "" : "" };
    });
    keyed.sort(function (a, b) {
      if (a.value !== b.value) {
        return a.value < b.value ? -1 : 1;
      }
      return a.index - b.index;
    });
    keyed.forEach(function (item) {
      body.appendChild(item.row);
    });
  }

  function setup(section) {
    var controls = section.querySelector("[data-filter-controls]");
    var table = section.querySelector("table[data-filterable]");
    if (!controls || !table || !table.tBodies || table.tBodies.length === 0) {
      return;
    }
    var body = table.tBodies[0];
    var text = controls.querySelector("[data-filter-text]");
    var rank = controls.querySelector("[data-filter-rank]");
    var sort = controls.querySelector("[data-sort]");
    var keys = all(controls, "select[data-filter-key]");
    var count = controls.querySelector("[data-filter-count]");
    var rows = Array.prototype.slice.call(body.rows);
    var haystacks = rows.map(function (row) {
      return (row.textContent || "").toLowerCase();
    });

    function apply() {
      var words = text ? text.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var minimum = rank && rank.value !== "" ? parseInt(rank.value, 10) : NaN;
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = words.every(function (word) {
          return haystacks[index].indexOf(word) !== -1;
        });
        if (visible && !isNaN(minimum)) {
          visible = parseInt(row.getAttribute("data-rank") || "0", 10) >= minimum;
        }
        visible = visible && keys.every(function (select) {
          return keeps(row, select);
        });
        row.hidden = !visible;
        if (visible) {
          shown += 1;
        }
      });
      if (count) {
        count.textContent = shown === rows.length
          ? "Showing all " + rows.length
          : "Showing " + shown + " of " + rows.length;
      }
    }

    if (text) {
      text.addEventListener("input", apply);
    }
    [rank].concat(keys).forEach(function (select) {
      if (select) {
        select.addEventListener("change", apply);
      }
    });
    if (sort) {
      sort.addEventListener("change", function () {
        sortRows(body, rows, sort.value);
      });
    }
    controls.hidden = false;
    apply();
  }

  /* Printed, a report shows every finding and card open (a closed <details> prints as its
     summary alone); afterwards the page is as the reader left it. */
  var closedForPrint = [];
  var page = typeof window === "undefined" ? null : window;
  if (page && page.addEventListener) {
  page.addEventListener("beforeprint", function () {
    closedForPrint = all(document, "details:not([open])");
    closedForPrint.forEach(function (details) {
      details.open = true;
    });
  });
  page.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (details) {
      details.open = false;
    });
    closedForPrint = [];
  });
  }

  var sections = document.querySelectorAll("[data-filter-section]");
  for (var i = 0; i < sections.length; i += 1) {
    try {
      setup(sections[i]);
    } catch (error) {
      /* Leave this section as plain, unfiltered HTML. */
    }
  }
})();

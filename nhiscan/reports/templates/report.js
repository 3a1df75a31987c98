/* Progressive enhancement only: the report is complete without this script.
   Each section marked data-filter-section gets a text filter (every word must appear in the
   row) and, for findings, a minimum-severity filter. */
(function () {
  "use strict";

  function setup(section) {
    var controls = section.querySelector("[data-filter-controls]");
    var table = section.querySelector("table[data-filterable]");
    if (!controls || !table || !table.tBodies || table.tBodies.length === 0) {
      return;
    }
    var text = controls.querySelector("[data-filter-text]");
    var rank = controls.querySelector("[data-filter-rank]");
    var count = controls.querySelector("[data-filter-count]");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
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
    if (rank) {
      rank.addEventListener("change", apply);
    }
    controls.hidden = false;
    apply();
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

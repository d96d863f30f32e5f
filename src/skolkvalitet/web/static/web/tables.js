/* Sortable tables, as progressive enhancement: publishing/_table.html renders a complete
 * table (marked data-sortable) that reads the same without this script. Here each column
 * header gets a button; activating it (click, Enter or Space) sorts the rows by that column,
 * ascending then descending, sets aria-sort on the header, announces the new order in a
 * polite live region and leaves the keyboard focus on the button. Cells sort by their
 * data-sort attribute (a number with a decimal point, or the text); cells without one (markers
 * such as "..", empty cells) go last either way. No dependencies; works after htmx swaps. */
(function () {
  "use strict";

  var collator = new Intl.Collator("sv", { numeric: true, sensitivity: "base" });

  function sortValue(cell) {
    if (!cell) {
      return "";
    }
    var value = cell.getAttribute("data-sort");
    return value === null ? cell.textContent.trim() : value;
  }

  function compare(a, b, numeric) {
    if (numeric) {
      return parseFloat(a) - parseFloat(b);
    }
    return collator.compare(a, b);
  }

  function isNumeric(header) {
    var kind = header.getAttribute("data-kind");
    return kind === "number" || kind === "percent";
  }

  function sortRows(table, index, numeric, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return { row: row, key: sortValue(row.cells[index]), position: position };
    });
    keyed.sort(function (a, b) {
      var aEmpty = a.key === "";
      var bEmpty = b.key === "";
      if (aEmpty || bEmpty) {
        return aEmpty === bEmpty ? a.position - b.position : aEmpty ? 1 : -1;
      }
      var order = compare(a.key, b.key, numeric);
      if (order === 0) {
        return a.position - b.position;
      }
      return descending ? -order : order;
    });
    keyed.forEach(function (item) {
      body.appendChild(item.row);
    });
  }

  function announce(table, header, descending) {
    var region = table.parentNode.querySelector(".sort-status[data-for='" + table.id + "']");
    if (!region) {
      region = document.createElement("span");
      region.className = "sort-status visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("data-for", table.id);
      table.parentNode.insertBefore(region, table.nextSibling);
    }
    var template = table.getAttribute(descending ? "data-sorted-descending" : "data-sorted-ascending");
    var label = header.querySelector(".sort-label");
    var name = (label || header).textContent.trim();
    region.textContent = (template || "{column}").replace("{column}", name);
  }

  function activate(table, header, button) {
    var descending = header.getAttribute("aria-sort") === "ascending";
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) {
      headers[i].removeAttribute("aria-sort");
    }
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    sortRows(table, header.cellIndex, isNumeric(header), descending);
    announce(table, header, descending);
    button.focus();
  }

  function enhance(table) {
    if (table.getAttribute("data-sortable-ready") || !table.tHead || !table.tBodies.length) {
      return;
    }
    table.setAttribute("data-sortable-ready", "true");
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) {
      (function (header) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        // Until the stylesheet styles .sort-button: look like the header text, not a button.
        button.style.cssText =
          "background:none;border:0;padding:0;margin:0;color:inherit;font:inherit;" +
          "text-align:inherit;cursor:pointer;text-decoration:underline dotted;";
        var label = document.createElement("span");
        label.className = "sort-label";
        while (header.firstChild) {
          label.appendChild(header.firstChild);
        }
        var icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.className = "sort-icon";
        icon.textContent = " \u2195";
        button.appendChild(label);
        button.appendChild(icon);
        header.appendChild(button);
        // <button> activates on click, Enter and Space by itself.
        button.addEventListener("click", function () {
          activate(table, header, button);
        });
      })(headers[i]);
    }
  }

  function enhanceAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var tables = scope.querySelectorAll("table[data-sortable]");
    for (var i = 0; i < tables.length; i++) {
      enhance(tables[i]);
    }
  }

  function start() {
    enhanceAll(document);
    document.body.addEventListener("htmx:afterSwap", function () {
      enhanceAll(document);
    });
  }

  window.skolkvalitetTables = { enhance: enhanceAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Offline filtering of the report. It reads only the page's own data-* attributes
// and text; it never evaluates or inserts markup.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  form.hidden = false;
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.control"));
  var query = document.getElementById("q");
  var counter = document.getElementById("shown");
  var none = document.getElementById("none-shown");

  // checked maps each value of a checkbox group to whether it is ticked. A value with
  // no checkbox (a severity a custom policy made up) is never filtered out.
  function checked(name) {
    var set = {};
    form.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
      set[input.value] = input.checked;
    });
    return function (value) {
      return set[value] !== false;
    };
  }

  function contains(el, q) {
    return el.textContent.toLowerCase().indexOf(q) >= 0;
  }

  function apply() {
    var status = checked("status");
    var severity = checked("severity");
    var q = query.value.trim().toLowerCase();
    var shown = 0;
    sections.forEach(function (section) {
      var head = section.querySelector(".control-head");
      var headMatch = !q || contains(head, q);
      var findings = section.querySelectorAll(".finding");
      var anyFinding = false;
      findings.forEach(function (f) {
        var ok = severity(f.dataset.severity) && (headMatch || contains(f, q));
        f.hidden = !ok;
        anyFinding = anyFinding || ok;
      });
      var ok = status(section.dataset.status);
      if (findings.length > 0) {
        ok = ok && anyFinding;
      } else {
        ok = ok && severity(section.dataset.severity) && (!q || contains(section, q));
      }
      section.hidden = !ok;
      var row = document.querySelector("tr[data-for='" + section.id + "']");
      if (row) {
        row.hidden = !ok;
      }
      if (ok) {
        shown++;
      }
    });
    counter.textContent = "Showing " + shown + " of " + sections.length + " controls";
    none.hidden = shown > 0;
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0);
  });
  apply();
})();

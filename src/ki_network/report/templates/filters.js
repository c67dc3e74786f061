(function () {
  "use strict";
  // Filters for the list of findings, without a server.  The Content-Security-Policy lets
  // only this script run (by its hash); it fetches nothing.  Without it the list is complete
  // and the filter form stays hidden.
  var form = document.getElementById("finding-filters");
  var status = document.getElementById("filter-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-finding]"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-box]"));
  if (!form || !status) { return; }

  function matches(item, place, severity, rule, change) {
    return (!place || (" " + item.getAttribute("data-places") + " ").indexOf(" " + place + " ") >= 0)
      && (!severity || item.getAttribute("data-severity") === severity)
      && (!rule || item.getAttribute("data-rule") === rule)
      && (!change || item.getAttribute("data-change") === change);
  }

  function apply() {
    var place = form.elements.place.value, severity = form.elements.severity.value;
    var rule = form.elements.rule.value;
    var change = form.elements.change ? form.elements.change.value : "";
    var active = Boolean(place || severity || rule || change);
    var shown = 0;
    items.forEach(function (item) {
      var ok = matches(item, place, severity, rule, change);
      item.hidden = !ok;
      if (ok) { shown += 1; }
    });
    boxes.forEach(function (box) {
      var count = box.querySelectorAll("[data-finding]:not([hidden])").length;
      box.hidden = count === 0;
      var label = box.querySelector("[data-count]");
      if (label) {
        label.textContent = active ? count + "/" + label.getAttribute("data-count")
                                   : label.getAttribute("data-count");
      }
    });
    status.textContent = status.getAttribute("data-format")
      .replace("{shown}", String(shown)).replace("{total}", String(items.length));
  }

  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) { return; }
    if (target.hidden || target.closest("[hidden]")) { form.reset(); apply(); }
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  // A link to a finding (from the top findings) opens the folds around it first, so that
  // the browser can scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) { return; }
    var change = link.getAttribute("data-show-change");
    if (change && form.elements.change) {  // "3 new": the list of just those
      form.reset();
      form.elements.change.value = change;
      window.setTimeout(apply, 0);
      return;
    }
    reveal(link.getAttribute("href").slice(1));
  });
  window.addEventListener("hashchange", function () {
    reveal(location.hash.slice(1));
    var target = document.getElementById(location.hash.slice(1));
    if (target) { target.scrollIntoView(); }
  });
  reveal(location.hash.slice(1));
  apply();

  // A printed handout shows every rule's findings (the folded runs stay one line each).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details[data-rule-group]"),
                                         function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
  });
}());

/* Intake forms: live project search and "add another row". Vendored, no CDN, no build.
   Everything works without it: the search box has a submit button and the forms start
   with three empty rows. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /* Project search: refill the <select> from /homeowner/projects.json?q= */
  function setupProjectSearch(input) {
    var select = document.getElementById(input.getAttribute("data-target"));
    if (!select) { return; }
    var url = input.getAttribute("data-project-search");
    var placeholder = select.options.length ? select.options[0].cloneNode(true) : null;
    var search = debounce(function () {
      var q = input.value.trim();
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : { items: [] };
      }).then(function (data) {
        var keep = select.value;
        select.textContent = "";
        if (placeholder) { select.appendChild(placeholder.cloneNode(true)); }
        (data.items || []).forEach(function (p) {
          var option = document.createElement("option");
          option.value = String(p.id);
          option.textContent = p.name + "（" + p.town + " · " + p.developer + "）";
          select.appendChild(option);
        });
        if (keep) { select.value = keep; }
        if (data.items && data.items.length === 1) { select.value = String(data.items[0].id); }
      }).catch(function () { /* the submit button still works */ });
    }, 250);
    input.addEventListener("input", search);
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      search();
      select.focus();
    });
  }

  /* Add a row to a repeated group (claims, neighbours) by cloning the last row. */
  function setupAddRow(button) {
    var container = document.querySelector(button.getAttribute("data-add-row"));
    if (!container) { return; }
    var max = parseInt(container.getAttribute("data-max-rows") || "10", 10);
    function rows() { return container.querySelectorAll("[data-row]"); }
    function refresh() { button.hidden = rows().length >= max; }
    button.addEventListener("click", function () {
      var all = rows();
      var last = all[all.length - 1];
      var index = all.length; /* rows are numbered 0..n-1 */
      var clone = last.cloneNode(true);
      var from = new RegExp("-" + (index - 1) + "-", "g");
      clone.querySelectorAll("[id],[name],[for],[aria-describedby]").forEach(function (el) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(from, "-" + index + "-")); }
        });
      });
      clone.querySelectorAll("label, .row-title").forEach(function (el) {
        el.textContent = el.textContent.replace(String(index), String(index + 1));
      });
      clone.querySelectorAll("input").forEach(function (el) {
        el.value = "";
        el.removeAttribute("aria-invalid");
      });
      clone.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      clone.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      container.appendChild(clone);
      var first = clone.querySelector("input");
      if (first) { first.focus(); }
      refresh();
    });
    button.hidden = false;
    refresh();
  }

  /* Refuse, before sending, files the server would refuse for their size (the typed text
     would otherwise be lost on the "too large" error page). */
  function setupSizeCheck(fieldset) {
    var form = fieldset.closest("form");
    var message = fieldset.querySelector("[data-size-error]");
    if (!form || !message) { return; }
    var maxRequest = parseInt(fieldset.getAttribute("data-max-request"), 10);
    var maxFile = parseInt(fieldset.getAttribute("data-max-file"), 10);
    form.addEventListener("submit", function (event) {
      var total = 0, tooBig = null;
      fieldset.querySelectorAll("input[type=file]").forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          total += file.size;
          if (file.size > maxFile && !tooBig) { tooBig = file; }
        });
      });
      if (tooBig || total > maxRequest) {
        event.preventDefault();
        /* One file over its own limit is named with that limit; only files each within
           it but together over the request limit get the "in total" message. */
        message.textContent = tooBig
          ? fieldset.getAttribute("data-too-big-file")
              .replace("{name}", tooBig.name)
              .replace("{size}", (tooBig.size / 1048576).toFixed(1))
          : fieldset.getAttribute("data-too-big");
        message.hidden = false;
        message.scrollIntoView({ block: "center" });
      } else {
        message.hidden = true;
      }
    });
  }

  document.querySelectorAll("fieldset.evidence[data-max-request]").forEach(setupSizeCheck);
  document.querySelectorAll("[data-project-search]").forEach(setupProjectSearch);
  document.querySelectorAll("[data-add-row]").forEach(setupAddRow);
})();

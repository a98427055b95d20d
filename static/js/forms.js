/* Every page: a character counter under each textarea with a length limit.
   A browser's maxlength silently cuts a pasted 10,000-character text to 5,000; here the
   limit is lifted, the whole text stays visible, the counter says how much is too much,
   and the form is not sent until it fits (the server refuses it too, next to the field).
   Lengths count characters as the server does (code points; line breaks count one). */
(function () {
  "use strict";

  var script = document.currentScript;
  var tooLong = (script && script.getAttribute("data-too-long")) || "{over}";

  function length(text) { return Array.from(text).length; }

  function setupCounter(area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) { return; }
    area.removeAttribute("maxlength");
    area.setAttribute("data-max-chars", String(max));
    var counter = document.createElement("p");
    counter.className = "hint char-counter";
    counter.id = (area.id || area.name) + "-counter";
    counter.setAttribute("aria-live", "polite");
    counter.setAttribute("data-testid", "char-counter");
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    var invalidBefore = area.getAttribute("aria-invalid");

    function refresh() {
      var over = length(area.value) - max;
      var text = length(area.value).toLocaleString() + " / " + max.toLocaleString();
      if (over > 0) {
        text += " · " + tooLong.replace("{over}", over.toLocaleString())
                               .replace("{max}", max.toLocaleString());
        area.setAttribute("aria-invalid", "true");
      } else if (invalidBefore === null) {
        area.removeAttribute("aria-invalid");
      }
      counter.textContent = text;
      counter.classList.toggle("error", over > 0);
    }

    area.addEventListener("input", refresh);
    if (area.form) {
      area.form.addEventListener("submit", function (event) {
        if (length(area.value) > max) {
          event.preventDefault();
          refresh();
          area.focus();
        }
      });
    }
    refresh();
  }

  document.querySelectorAll("textarea[maxlength]").forEach(setupCounter);
})();

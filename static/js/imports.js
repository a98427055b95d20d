/* Progress of a referral import: poll progress.json until the import has finished,
   then reload the page to show the report. Vendored, no dependencies, no CDN. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var delay = 700;

  function show(doc) {
    if (doc.total_rows) {
      bar.max = doc.total_rows;
      bar.value = doc.processed_rows;
    }
    var message;
    if (doc.phase === "writing") {
      message = box.getAttribute("data-text-writing");
    } else if (doc.total_rows) {
      message = box.getAttribute("data-text-validating")
        .replace("{done}", doc.processed_rows.toLocaleString())
        .replace("{total}", doc.total_rows.toLocaleString());
    } else {
      message = box.getAttribute("data-text-reading");
    }
    text.textContent = message;  // textContent: never parsed as HTML
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (doc) {
        show(doc);
        if (doc.finished || doc.interrupted) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);  // server busy or offline: back off, keep trying
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();

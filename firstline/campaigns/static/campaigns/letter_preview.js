/* Live letter preview in the campaign admin: posts the unsaved Markdown to a
 * staff-only endpoint that renders it exactly as the public page does
 * (placeholders, Markdown, nh3 sanitizing) and shows the returned HTML. */
(function () {
  "use strict";
  function start() {
    var panel = document.getElementById("letter-preview");
    if (!panel) return;
    var body = panel.querySelector(".preview-body");
    var unknown = panel.querySelector(".preview-unknown");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var lang = "en", timer = null;
    function source() { return document.getElementById(lang === "es" ? "id_letter_es" : "id_letter_en"); }
    function refresh() {
      var field = source();
      if (!field) return;
      var data = new FormData();
      data.append("letter", field.value);
      data.append("language", lang);
      fetch(panel.getAttribute("data-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" }
      }).then(function (r) { return r.json(); }).then(function (result) {
        // The server sanitized this HTML with nh3 (allow-listed tags only).
        body.innerHTML = result.html || "";
        if (result.unknown && result.unknown.length) {
          unknown.hidden = false;
          unknown.textContent = "Unknown placeholders: " + result.unknown.join(", ");
        } else { unknown.hidden = true; }
      });
    }
    panel.querySelectorAll("button[data-lang]").forEach(function (b) {
      b.addEventListener("click", function () {
        lang = b.getAttribute("data-lang");
        panel.querySelectorAll("button[data-lang]").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
        refresh();
      });
    });
    ["id_letter_en", "id_letter_es"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    });
    refresh();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

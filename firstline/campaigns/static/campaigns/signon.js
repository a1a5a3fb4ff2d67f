/* Home-jurisdiction autocomplete for the sign-on form (progressive enhancement:
 * without it, the server resolves the typed name and offers choices). */
(function () {
  "use strict";
  // After a failed submit, the summary of errors takes focus, so a screen
  // reader announces it and a keyboard user starts from its links.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
(function () {
  "use strict";
  var input = document.getElementById("id_home");
  var list = document.getElementById("jurisdiction-options");
  var hidden = document.getElementById("id_home_id");
  if (!input || !list) return;
  var url = list.getAttribute("data-search-url"), timer = null, ids = {};
  input.addEventListener("input", function () {
    if (hidden) hidden.value = ids[input.value] || "";
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2 || ids[input.value]) return;
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.label;  // textContent-safe: value is an attribute, not HTML
            ids[item.label] = item.id;
            list.appendChild(option);
          });
          if (hidden) hidden.value = ids[input.value] || "";
        });
    }, 200);
  });
})();

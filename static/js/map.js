// The national map is a picture: hovering a county names it and a click opens its page.
// Keyboard and screen-reader users have the grade table below it (no JS needed there).
document.querySelectorAll("svg.national-map[data-county-url]").forEach(function (svg) {
  var labels = null;
  function county(event) {
    var id = event.target.id || "";
    return /^c\d{5}$/.test(id) ? id.slice(1) : "";
  }
  svg.addEventListener("click", function (event) {
    var fips = county(event);
    if (fips) window.location.href = svg.dataset.countyUrl.replace("FIPS", fips);
  });
  svg.addEventListener("mouseover", function (event) {
    var path = event.target;
    if (!county(event) || path.firstChild || !svg.dataset.labelsUrl) return;
    if (labels === null) {
      labels = fetch(svg.dataset.labelsUrl).then(function (r) { return r.json(); });
    }
    labels.then(function (all) {
      var text = all[path.id.slice(1)];
      if (text && !path.firstChild) {
        var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        title.textContent = text;
        path.appendChild(title);
      }
    });
  });
});

// The national map is a picture: a click on a county opens its page. Keyboard and
// screen-reader users have the grade table below it (no JS needed there).
document.querySelectorAll("svg.national-map[data-county-url]").forEach(function (svg) {
  svg.addEventListener("click", function (event) {
    var id = event.target.id || "";
    if (/^c\d{5}$/.test(id)) {
      window.location.href = svg.dataset.countyUrl.replace("FIPS", id.slice(1));
    }
  });
});

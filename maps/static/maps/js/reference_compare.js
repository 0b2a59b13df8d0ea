/* "Against a reference catalogue" on the results and statistics pages: completeness and precision against
 * diameter (Chart.js, when the page loads it) and a small map of the matched, missed and new craters, whose
 * GeoJSON comes from /api/v1/reference/compare/?layer=1. The table itself is rendered by the server. */
(function () {
  "use strict";
  var node = document.getElementById("reference-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var COLORS = { matched: "#52d273", missed: "#d68cff", new: "#ff6b3d" };

  if (window.Chart && document.getElementById("chart-reference")) {
    var labels = data.bins.map(function (b) { return Math.sqrt(b.min_km * b.max_km).toPrecision(3); });
    new window.Chart(document.getElementById("chart-reference"), {
      type: "line",
      data: { labels: labels, datasets: [
        { label: "completeness", data: data.bins.map(function (b) { return b.completeness; }), borderColor: COLORS.missed },
        { label: "precision", data: data.bins.map(function (b) { return b.precision; }), borderColor: COLORS.new }
      ] },
      options: { scales: { x: { title: { display: true, text: "diameter [km], bin centre" } },
                           y: { min: 0, max: 1 } } }
    });
  }

  var box = document.getElementById("reference-map");
  if (!box || !window.GeoPlanetMap || !data.api) { return; }
  var handle = GeoPlanetMap.create(box, { georeferenced: true, radius_m: data.body_radius_m, body: data.body_name });
  var map = handle.map;
  map.attributionControl.addAttribution("Reference craters: " + GeoPlanetMap.escapeHtml(data.catalogue.citation));
  fetch(data.api, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (doc) {
    if (!doc.layer) { return; }
    var layer = L.geoJSON(doc.layer, {
      pointToLayer: function (f, latlng) {
        var color = COLORS[f.properties.kind] || "#cccccc";
        return L.circleMarker(latlng, { radius: 3, color: color, weight: 1, fillColor: color, fillOpacity: 0.6 });
      }
    }).addTo(map);
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { maxZoom: 8 }); }
    box.setAttribute("data-loaded", String(layer.getLayers().length));
  });
})();

/* Share page: the shared image (tiles through the link's token) and/or its features, read-only. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var m = data.map;
  if (!m) { document.getElementById("map").hidden = true; return; }
  var handle = GeoPlanetMap.create("map", { georeferenced: m.georeferenced, radius_m: m.radius_m, body: m.body });
  if (m.tiles && m.status === "ready") { GeoPlanetMap.addRaster(handle, m); }
  if (handle.georeferenced) {
    fetch(data.features, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      if (!fc.features.length) { return; }
      var layer = L.geoJSON(fc, { style: { color: "#f0c419", weight: 2 } }).addTo(handle.map);
      if (!m.tiles) { handle.map.fitBounds(layer.getBounds(), { maxZoom: 8 }); }
    });
  }
})();

/* Two analyses or images side by side: two maps on the same body, kept in sync, each with its features. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  if (!data.left || !data.right) { return; }
  var COLORS = { crater: "#ff6b3d", valley: "#3da5ff", ridge: "#52d273" };
  var maps = [];
  [data.left, data.right].forEach(function (side, i) {
    var el = document.getElementById("map-" + i);
    var handle = GeoPlanetMap.create(el, { georeferenced: side.raster.georeferenced, radius_m: side.body && side.body.radius_m,
                                           body: side.body && side.body.name });
    var layers = GeoPlanetMap.addRaster(handle, { tiles: side.raster.tiles, georeferenced: side.raster.georeferenced,
                                                  width: side.raster.width, height: side.raster.height, title: side.raster.title });
    if (side.raster.footprint) {
      var f = side.raster.footprint;
      handle.map.fitBounds([[f[1], f[0]], [f[3], f[2]]], { maxZoom: 8 });
    }
    if (side.features && handle.georeferenced) {
      fetch(side.features, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
        L.geoJSON(fc, { style: function (feat) {
          var c = COLORS[feat.properties.effective_class] || "#ccc";
          return { color: c, weight: 1.5, fillOpacity: 0.2 };
        } }).addTo(handle.map);
      });
    }
    maps.push(handle.map);
    window["geoplanetCompare" + i] = { map: handle.map, layers: layers };
  });
  var syncing = false;
  maps.forEach(function (m, i) {
    m.on("move", function () {
      if (syncing) { return; }
      syncing = true;
      maps[1 - i].setView(m.getCenter(), m.getZoom(), { animate: false });
      syncing = false;
    });
  });
})();

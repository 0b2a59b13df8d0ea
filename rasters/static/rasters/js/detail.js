/* Image detail page: the image on its body's map, its footprint, cursor coordinates; polls while processing. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var cursor = document.getElementById("cursor");
  var handle = GeoPlanetMap.create("map", { georeferenced: data.georeferenced, radius_m: data.radius_m, body: data.body, cursorElement: cursor });
  var added = null;
  function show() {
    added = GeoPlanetMap.addRaster(handle, data);
    handle.pixelMaxZoom = added.pixelMaxZoom || 0;
    window.geoplanetLayers = added;
  }
  if (data.status === "ready") {
    show();
  } else if (data.status === "queued" || data.status === "processing") {
    var timer = setInterval(function () {
      fetch(data.api, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (r) {
        var badge = document.getElementById("status");
        badge.textContent = r.status.charAt(0).toUpperCase() + r.status.slice(1);
        badge.className = "badge " + r.status;
        if (r.status === "ready" || r.status === "failed") { clearInterval(timer); window.location.reload(); }
      });
    }, 1500);
  }
  window.geoplanetMap = handle.map;
})();

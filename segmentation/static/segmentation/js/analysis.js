/* Analysis results page: image + class-mask overlay + features by class; live progress while running. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var analysis = data.analysis;
  var handle = GeoPlanetMap.create("map", { georeferenced: data.georeferenced, radius_m: data.radius_m, body: data.body, cursorElement: document.getElementById("cursor") });
  var colors = {};
  analysis.classes.forEach(function (c) { colors[c.name] = "rgb(" + c.color.join(",") + ")"; });
  var layers = {};

  function toPixelLatLng(coords, maxZoom) {
    var s = Math.pow(2, maxZoom);
    return L.latLng(-coords[1] / s, coords[0] / s);
  }

  function showResults() {
    var added = GeoPlanetMap.addRaster(handle, data);
    handle.pixelMaxZoom = added.pixelMaxZoom || 0;
    var maskOptions = { tileSize: 256, opacity: 0.7, noWrap: true };
    if (!handle.georeferenced) { maskOptions.minNativeZoom = 0; maskOptions.maxNativeZoom = added.pixelMaxZoom; maskOptions.minZoom = -4; maskOptions.maxZoom = added.pixelMaxZoom + 4; }
    else { maskOptions.maxNativeZoom = 12; maskOptions.maxZoom = 18; }
    layers.mask = L.tileLayer(analysis.mask_tiles, maskOptions).addTo(handle.map);
    var url = analysis.features + (handle.georeferenced ? "" : "?space=pixel");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var options = {
        style: function (f) {
          var p = f.properties, rejected = p.review_status === "rejected";
          return { color: colors[p.effective_class] || "#fff", weight: 1.5, fillOpacity: rejected ? 0 : 0.15, dashArray: rejected ? "4 4" : null };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties, rows = [["Class", p.effective_class], ["Review", p.review_status], ["Confidence", p.confidence.toFixed(2)]];
          if (p.diameter_km != null) rows.push(["Diameter", p.diameter_km.toFixed(2) + " km"]); else if (p.diameter_px != null) rows.push(["Diameter", p.diameter_px.toFixed(1) + " px"]);
          if (p.area_km2 != null) rows.push(["Area", p.area_km2.toFixed(2) + " km²"]);
          if (p.length_km != null) rows.push(["Length", p.length_km.toFixed(2) + " km"]); else if (p.length_px != null) rows.push(["Length", p.length_px.toFixed(1) + " px"]);
          if (p.orientation_deg != null) rows.push(["Orientation", p.orientation_deg.toFixed(0) + "°"]);
          var el = document.createElement("div");
          var title = document.createElement("strong"); title.textContent = "Feature " + f.id; el.appendChild(title);
          rows.forEach(function (r) { var d = document.createElement("div"); d.textContent = r[0] + ": " + r[1]; el.appendChild(d); });
          layer.bindPopup(el);
          layer.feature = f;
        }
      };
      if (!handle.georeferenced) {
        options.coordsToLatLng = function (c) { return toPixelLatLng(c, handle.pixelMaxZoom); };
      }
      layers.features = L.geoJSON(fc, options).addTo(handle.map);
      document.getElementById("feature-count").textContent = fc.features.length + " features shown";
      window.geoplanetFeatures = layers.features;
      document.dispatchEvent(new CustomEvent("geoplanet:features", { detail: { layer: layers.features, map: handle.map } }));
    });
  }

  function bindToggle(id, name) {
    document.getElementById(id).addEventListener("change", function (e) {
      var layer = layers[name];
      if (!layer) return;
      if (e.target.checked) layer.addTo(handle.map); else handle.map.removeLayer(layer);
    });
  }
  bindToggle("toggle-mask", "mask");
  bindToggle("toggle-features", "features");

  if (analysis.status === "done") {
    showResults();
  } else {
    GeoPlanetMap.addRaster(handle, data);
    if (analysis.status === "queued" || analysis.status === "running") {
      var bar = document.getElementById("progress"), text = document.getElementById("progress-text");
      var timer = setInterval(function () {
        fetch(analysis.api, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (a) {
          bar.value = a.progress;
          text.textContent = a.progress_done + " of " + (a.progress_total || "?") + " window passes";
          var badge = document.getElementById("status");
          badge.textContent = a.status.charAt(0).toUpperCase() + a.status.slice(1);
          badge.className = "badge " + a.status;
          if (["done", "failed", "cancelled"].indexOf(a.status) >= 0) { clearInterval(timer); window.location.reload(); }
        });
      }, 1000);
    }
  }
  window.geoplanetMap = handle.map;
})();

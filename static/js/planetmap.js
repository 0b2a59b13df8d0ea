/* GeoPlanet map helper: Leaflet on a planetary body's sphere, or in pixel space for images without georeference.
 *
 * Georeferenced images use Leaflet's lon/lat CRS with the BODY's radius (so the scale bar and distances are in
 * the body's km, never Earth's); their tiles come from a TileMatrixSet built on the body's geographic CRS.
 *
 * Leaflet inserts attributions, layer-control names, popups and tooltips as HTML: every string a user wrote
 * (image titles, class names, usernames) goes through escapeHtml before it reaches one of them.
 */
(function () {
  "use strict";

  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) { return HTML_ESCAPES[c]; });
  }

  function bodyCRS(radiusM, name) {
    return L.extend({}, L.CRS.EPSG4326, { R: radiusM, code: "GEOPLANET:" + (name || "body") });
  }

  function pixelZoom(width, height) {
    return Math.max(0, Math.ceil(Math.log2(Math.max(width, height) / 256)));
  }

  function pixelToLatLng(px, py, maxZoom) {
    var s = Math.pow(2, maxZoom);
    return L.latLng(-py / s, px / s);
  }

  function create(element, options) {
    var georef = options.georeferenced && options.radius_m;
    var map;
    if (georef) {
      map = L.map(element, { crs: bodyCRS(options.radius_m, options.body), minZoom: 0, maxZoom: 18, worldCopyJump: false });
      map.setView([0, 0], 1);
      L.control.scale({ metric: true, imperial: false }).addTo(map);
    } else {
      map = L.map(element, { crs: L.CRS.Simple, minZoom: -4, maxZoom: 8 });
    }
    var cursor = options.cursorElement;
    if (cursor) {
      map.on("mousemove", function (e) {
        if (georef) {
          cursor.textContent = "Lon " + e.latlng.lng.toFixed(4) + "°E, Lat " + e.latlng.lat.toFixed(4) + "° on " + options.body;
        } else {
          var z = options.pixelMaxZoom || 0, s = Math.pow(2, z);
          cursor.textContent = "x " + Math.round(e.latlng.lng * s) + " px, y " + Math.round(-e.latlng.lat * s) + " px";
        }
      });
    }
    return { map: map, georeferenced: !!georef };
  }

  function addRaster(handle, options) {
    var map = handle.map;
    if (handle.georeferenced) {
      var layer = L.tileLayer(options.tiles, { tileSize: 256, maxNativeZoom: 12, maxZoom: 18, noWrap: true, attribution: escapeHtml(options.title) });
      layer.addTo(map);
      if (options.footprint) {
        var fp = L.geoJSON(options.footprint, { style: { color: "#e07a3f", weight: 2, fill: false } }).addTo(map);
        map.fitBounds(fp.getBounds(), { maxZoom: 8 });
        return { tiles: layer, footprint: fp };
      }
      return { tiles: layer };
    }
    var maxZoom = pixelZoom(options.width, options.height);
    handle.pixelMaxZoom = maxZoom;
    var bounds = L.latLngBounds(pixelToLatLng(0, options.height, maxZoom), pixelToLatLng(options.width, 0, maxZoom));
    var tiles = L.tileLayer(options.tiles, { tileSize: 256, minZoom: -4, minNativeZoom: 0, maxNativeZoom: maxZoom, maxZoom: maxZoom + 4, bounds: bounds, noWrap: true });
    tiles.addTo(map);
    var outline = L.rectangle(bounds, { color: "#e07a3f", weight: 2, fill: false }).addTo(map);
    map.fitBounds(bounds);
    return { tiles: tiles, footprint: outline, pixelMaxZoom: maxZoom };
  }

  window.GeoPlanetMap = { create: create, addRaster: addRaster, bodyCRS: bodyCRS, pixelZoom: pixelZoom, pixelToLatLng: pixelToLatLng,
                          escapeHtml: escapeHtml };
})();

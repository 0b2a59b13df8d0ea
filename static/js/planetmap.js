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

  /* The settings django-leaflet's map tag left beside the map (maps/templates/leaflet/_leaflet_map.html), or null
   * where there are none or the page lacks django-leaflet's map class (leaflet/leaflet.extras.js). */
  function djangoOptions(id) {
    var el = document.getElementById(id + "-djoptions");
    if (!el || !L.Map.djangoMap) { return null; }
    var dj = JSON.parse(JSON.parse(el.textContent));
    // No SRID: django-leaflet keeps the crs it is given (plate carree on a sphere, never Web Mercator) instead of
    // making a proj4 one. No extent: a body's map wraps at the antimeridian, where a region may cross it.
    dj.srid = null;
    dj.extent = null;
    return dj;
  }

  function create(element, options) {
    var georef = options.georeferenced && options.radius_m;
    var map;
    var dj = georef ? djangoOptions(element) : null;
    if (dj) {
      // The map's settings (LEAFLET_CONFIG: zoom range, start view, no base tiles) come through django-leaflet.
      map = L.Map.djangoMap(element, { djoptions: dj, crs: bodyCRS(options.radius_m, options.body), worldCopyJump: false,
                                       globals: false, callback: null });
      L.control.scale({ metric: true, imperial: false }).addTo(map);
    } else if (georef) {
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

  /* Admin geometry widgets (maps/templates/leaflet/widget.html): each widget's settings come as JSON; the map is
   * made by django-leaflet and the field editor by its leaflet.forms.js, as its inline script would have done. The
   * widget knows no body: its map is plain lon/lat degrees (plate carree). */
  function resolve(path) {
    return String(path).split(".").reduce(function (obj, key) { return obj == null ? obj : obj[key]; }, window);
  }

  function djangoWidgets() {
    document.querySelectorAll("script[id^=\"leaflet-widget-\"]").forEach(function (el) {
      var w = JSON.parse(el.textContent);
      var dj = djangoOptions(w.map_id);
      if (!dj) { return; }
      L.Map.djangoMap(w.map_id, { djoptions: dj, crs: L.CRS.EPSG4326, globals: false, callback: function (map, options) {
        var module = { fieldid: w.fieldid, modifiable: w.modifiable, geom_type: w.geom_type, srid: w.srid,
                       field_store_class: resolve(w.field_store_class), precision: options.djoptions.precision };
        var FieldClass = resolve(w.geometry_field_class);
        (new FieldClass(module)).addTo(map);
        map.getContainer().dataset.ready = "true";
      } });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", djangoWidgets); } else { djangoWidgets(); }

  window.GeoPlanetMap = { create: create, addRaster: addRaster, bodyCRS: bodyCRS, pixelZoom: pixelZoom, pixelToLatLng: pixelToLatLng,
                          escapeHtml: escapeHtml };
})();

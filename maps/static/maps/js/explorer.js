/* Feature explorer of one body: visible images as raster tiles, features as vector tiles per class (PostGIS
 * ST_AsMVT), filters, a drawn or typed region with its statistics, a shareable URL and exports.
 * Requests are bounded: one page document, tiles, and one summary request per query. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var COLORS = { crater: "#ff6b3d", valley: "#3da5ff", ridge: "#52d273" };
  var esc = GeoPlanetMap.escapeHtml;  // Leaflet takes attributions, layer names and popups as HTML
  var form = document.getElementById("filters");
  var handle = GeoPlanetMap.create("map", { georeferenced: true, radius_m: data.body.radius_m, body: data.body.name,
                                            cursorElement: document.getElementById("cursor") });
  var map = handle.map;
  var overlays = {};
  var classLayers = {};
  var regionLayer = L.featureGroup().addTo(map);
  // Features get their own pane, so drawing a region can switch off their clicks (else they swallow vertices).
  map.createPane("features").style.zIndex = 450;
  map.on(L.Draw.Event.DRAWSTART, function () { map.getPane("features").style.pointerEvents = "none"; });
  map.on(L.Draw.Event.DRAWSTOP, function () { map.getPane("features").style.pointerEvents = ""; });

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; select.appendChild(o);
  }
  data.rasters.forEach(function (r) { option(document.getElementById("f-raster"), r.id, r.title); });
  data.analyses.forEach(function (a) { option(document.getElementById("f-analysis"), a.id, a.title); });
  if (data.projects.length) {
    data.projects.forEach(function (p) { option(document.getElementById("f-project"), p.id, p.name); });
  } else {
    document.getElementById("f-project").closest("label").hidden = true;
  }
  var boxes = document.getElementById("class-boxes");
  data.classes.forEach(function (c) {
    var label = document.createElement("label");
    label.innerHTML = '<input type="checkbox" name="class" checked> <span class="legend-swatch"></span>';
    label.querySelector("input").value = c;
    label.querySelector(".legend-swatch").style.background = COLORS[c] || "#ccc";
    label.appendChild(document.createTextNode(c));
    boxes.appendChild(label);
  });

  // Images: tiles are requested only inside each footprint.
  var all = null;
  data.rasters.forEach(function (r) {
    var opts = { tileSize: 256, maxNativeZoom: 12, maxZoom: 18, noWrap: true, attribution: esc(r.title) };
    if (r.footprint) {
      var b = L.latLngBounds([r.footprint[1], r.footprint[0]], [r.footprint[3], r.footprint[2]]);
      opts.bounds = b;
      all = all ? all.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    }
    overlays["Image: " + esc(r.title)] = L.tileLayer(r.tiles, opts).addTo(map);
  });
  if (all) { map.fitBounds(all, { maxZoom: 8 }); }

  function params() {
    var p = new URLSearchParams();
    var fd = new FormData(form);
    var classes = fd.getAll("class");
    fd.forEach(function (value, key) {
      if (key !== "class" && String(value).trim() !== "") { p.set(key, String(value).trim()); }
    });
    if (classes.length !== data.classes.length) { p.set("class", classes.join(",")); }
    return p;
  }

  function styleFor(props) {
    var color = COLORS[props.class] || "#cccccc";
    var style = { color: color, weight: 1.5, fill: true, fillColor: color, fillOpacity: 0.25, opacity: 0.9, radius: 3 };
    if (props.review === "rejected") { style.dashArray = "3 3"; style.color = "#999"; style.fillOpacity = 0.05; }
    if (props.review === "confirmed") { style.weight = 2.5; }
    if (props.review === "relabelled" || props.review === "redrawn") { style.dashArray = "6 2"; }
    return style;
  }

  function popup(e) {
    var p = e.layer.properties;
    var html = "<strong>" + esc(p.class) + "</strong> #" + Number(p.id) + (p.detected !== p.class ? " (detected " + esc(p.detected) + ")" : "") +
      "<br>review: " + esc(p.review) + "<br>confidence: " + Number(p.confidence).toFixed(2) +
      (p.diameter_km != null ? "<br>diameter: " + Number(p.diameter_km).toFixed(2) + " km" : "") +
      (p.area_km2 != null ? "<br>area: " + Number(p.area_km2).toFixed(1) + " km²" : "") +
      '<br><a href="/images/' + Number(p.raster) + '/">image</a> · <a href="/analyses/' + Number(p.analysis) + '/">analysis</a>';
    L.popup().setLatLng(e.latlng).setContent(html).openOn(map);
  }

  var control = L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  // Published crater catalogues of this body, toggled in the layer control (reference_layer.js).
  if (window.GeoPlanetReference && data.reference) { GeoPlanetReference.add(map, control, data.reference, data.body); }

  function showFeatures() {
    var p = params();
    p.delete("bbox"); p.delete("intersects");  // the map shows every feature; the region only drives the query
    var wanted = p.get("class") ? p.get("class").split(",") : data.classes;
    p.delete("class");
    data.classes.forEach(function (c) {
      if (classLayers[c]) { map.removeLayer(classLayers[c]); control.removeLayer(classLayers[c]); }
      var q = new URLSearchParams(p); q.set("class", c);
      var layer = L.vectorGrid.protobuf(data.urls.vector_tiles + "?" + q.toString(), {
        rendererFactory: L.canvas.tile, interactive: true, pane: "features", maxNativeZoom: 16, maxZoom: 18,
        noWrap: true,  // one copy of the body: no repeated features beyond ±180°
        fetchOptions: { credentials: "same-origin" },
        vectorTileLayerStyles: { features: styleFor },
        getFeatureId: function (f) { return f.properties.id; }
      });
      layer.on("click", popup);
      classLayers[c] = layer;
      control.addOverlay(layer, "Features: " + esc(c));
      if (wanted.indexOf(c) >= 0) { layer.addTo(map); }
    });
  }

  // Region drawing (Leaflet.draw): the drawn shape becomes WKT in the form. Leaflet 1.9 reports pointer
  // devices as touch; Leaflet.draw 1.0.4 then handles each click twice and drops vertices, so ignore its touch path.
  L.Draw.Polyline.prototype._onTouch = L.Util.falseFn;
  var drawControl = new L.Control.Draw({
    draw: { polyline: false, circle: false, circlemarker: false, marker: false,
            rectangle: { shapeOptions: { color: "#ffd23f" } }, polygon: { shapeOptions: { color: "#ffd23f" } } },
    edit: { featureGroup: regionLayer, edit: false, remove: false }
  });
  map.addControl(drawControl);
  // Leaflet 1.9 does not fire the map's own "mousedown" for presses on tile layers, which Leaflet.draw's
  // rectangle tool waits for: while a draw tool is active, forward the container's native mousedown.
  var drawing = false;
  map.on(L.Draw.Event.DRAWSTART, function () { drawing = true; });
  map.on(L.Draw.Event.DRAWSTOP, function () { drawing = false; });
  map.getContainer().addEventListener("mousedown", function (e) {
    if (drawing && e.button === 0) { map.fire("mousedown", { latlng: map.mouseEventToLatLng(e), originalEvent: e }); }
  });

  function toWKT(layer) {
    var ring = layer.getLatLngs()[0].map(function (ll) { return ll.lng.toFixed(6) + " " + ll.lat.toFixed(6); });
    ring.push(ring[0]);
    return "POLYGON((" + ring.join(", ") + "))";
  }

  map.on(L.Draw.Event.CREATED, function (e) {
    regionLayer.clearLayers();
    regionLayer.addLayer(e.layer);
    if (e.layerType === "rectangle") {
      var b = e.layer.getBounds();
      document.getElementById("f-bbox").value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      document.getElementById("f-intersects").value = "";
    } else {
      document.getElementById("f-intersects").value = toWKT(e.layer);
      document.getElementById("f-bbox").value = "";
    }
    runQuery();
  });

  function drawTypedRegion() {
    regionLayer.clearLayers();
    var bbox = document.getElementById("f-bbox").value.split(",").map(Number);
    if (bbox.length === 4 && bbox.every(isFinite)) {
      // a box whose west edge is east of its east edge crosses the antimeridian: draw it eastwards past 180
      var east = bbox[2] < bbox[0] ? bbox[2] + 360 : bbox[2];
      regionLayer.addLayer(L.rectangle([[bbox[1], bbox[0]], [bbox[3], east]], { color: "#ffd23f", fill: false }));
    }
    var wkt = document.getElementById("f-intersects").value.trim();
    var m = /^POLYGON\s*\(\((.*)\)\)$/i.exec(wkt);
    if (m) {
      var latlngs = m[1].split(",").map(function (pair) { var xy = pair.trim().split(/\s+/).map(Number); return [xy[1], xy[0]]; });
      regionLayer.addLayer(L.polygon(latlngs, { color: "#ffd23f", fill: false }));
    }
  }

  function hasRegion(p) { return p.has("bbox") || p.has("intersects"); }

  function runQuery() {
    var p = params();
    p.set("body", data.body.slug);
    history.replaceState(null, "", window.location.pathname + "?" + p.toString());
    showFeatures();
    drawTypedRegion();
    var results = document.getElementById("results");
    fetch(data.urls.summary + "?" + p.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        results.hidden = false;
        if (!res.ok) { document.getElementById("result-count").textContent = res.body.detail || "Query failed."; return; }
        var s = res.body;
        document.getElementById("result-count").textContent = s.count + " features" +
          (s.region_area_km2 ? " in " + Math.round(s.region_area_km2).toLocaleString() + " km² of " + s.body : " on " + s.body);
        var tbody = document.querySelector("#result-classes tbody");
        tbody.innerHTML = "";
        s.classes.forEach(function (c) {
          var tr = document.createElement("tr");
          [c.class_name, c.count, c.area_km2 == null ? "—" : c.area_km2.toFixed(1),
           c.min_diameter_km == null ? "—" : c.min_diameter_km.toFixed(2) + "–" + c.max_diameter_km.toFixed(2)].forEach(function (v) {
            var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
          });
          tbody.appendChild(tr);
        });
        var list = document.getElementById("result-rasters");
        list.innerHTML = "";
        s.rasters.forEach(function (r) { var li = document.createElement("li"); li.textContent = r.title + ": " + r.count; list.appendChild(li); });
        document.getElementById("share-link").href = s.share_url;
        var links = document.getElementById("export-links");
        links.innerHTML = "";
        Object.keys(s.exports).forEach(function (fmt) {
          var a = document.createElement("a");
          a.href = s.exports[fmt]; a.textContent = data.formats[fmt] || fmt; a.className = "export-link export-" + fmt;
          a.addEventListener("click", function (ev) { exportClick(ev, a.href); });
          links.appendChild(a); links.appendChild(document.createTextNode(" "));
        });
      });
    return hasRegion(p);
  }

  // Large exports answer 202 with a job; small ones download directly.
  function exportClick(ev, href) {
    ev.preventDefault();
    var status = document.getElementById("export-status");
    status.textContent = "Preparing export…";
    fetch(href, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 202) {
        return r.json().then(function (job) { window.location.href = "/map/exports/" + job.id + "/"; });
      }
      if (!r.ok) { return r.json().then(function (j) { status.textContent = j.detail || "Export failed."; }); }
      return r.blob().then(function (blob) {
        var name = (r.headers.get("Content-Disposition") || "").split("filename=")[1] || "export";
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = name.replace(/"/g, ""); document.body.appendChild(a); a.click();
        status.textContent = "Downloaded " + a.download + ".";
      });
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); runQuery(); });
  document.getElementById("clear-region").addEventListener("click", function () {
    document.getElementById("f-bbox").value = ""; document.getElementById("f-intersects").value = "";
    regionLayer.clearLayers(); runQuery();
  });

  // A shared URL restores the form, the region and the query.
  var initial = new URLSearchParams(window.location.search);
  initial.forEach(function (value, key) {
    if (key === "class") {
      var wanted = value.split(",");
      form.querySelectorAll("input[name=class]").forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    } else if (form.elements[key]) {
      var el = form.elements[key];
      if (el.type === "checkbox") { el.checked = value === "true"; } else { el.value = value; }
    }
  });
  showFeatures();
  // A crater saved by the hand tools (hand_tools.js) shows on the next tiles.
  document.addEventListener("geoplanet:features-changed", showFeatures);
  if (hasRegion(initial)) {
    runQuery();
    if (regionLayer.getLayers().length) { map.fitBounds(regionLayer.getBounds(), { maxZoom: 10 }); }
  }
  window.geoplanetMap = map;
})();

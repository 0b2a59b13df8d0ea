/* Explorer hand tools: distance and area on the body's sphere, and craters digitised from three rim points or a
 * centre and a rim point, measured as CraterTools does (sphere.js) and saved into the image's manual count
 * (POST /api/v1/rasters/{id}/manual-craters/, which measures again and stores what it measured).
 * Leaflet's own distanceTo measures on Earth: nothing here uses it. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var map = window.geoplanetMap;
  var S = window.GeoPlanetSphere;
  if (!map || !S) { return; }
  var R = data.body.radius_m, BODY = data.body.name;
  var HELP = {
    distance: "Click points along the path; the length is the great-circle sum on " + BODY + ".",
    area: "Click the corners of the area; edges are great circles on " + BODY + ".",
    rim: "Click three points on the crater's rim.",
    centre: "Click the crater's centre, then a point on its rim."
  };
  var layer = L.featureGroup().addTo(map);
  var readout = document.getElementById("tool-readout");
  var status = document.getElementById("crater-status");
  var saveBox = document.getElementById("crater-save");
  var select = document.getElementById("crater-raster");
  var tool = null, points = [], crater = null;

  function fmt(value, digits) {
    return value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function deg(lon, lat) {
    return Math.abs(lat).toFixed(4) + "°" + (lat < 0 ? "S" : "N") + ", " + Math.abs(lon).toFixed(4) + "°" + (lon < 0 ? "W" : "E");
  }

  function latlngs(pts) { return pts.map(function (p) { return [p[1], p[0]]; }); }

  function setReadout(text, value, kind) {
    readout.textContent = text;
    readout.dataset.kind = kind || "";
    readout.dataset.value = value == null ? "" : String(value);
  }

  function clear() {
    points = []; crater = null;
    layer.clearLayers();
    setReadout("");
    saveBox.hidden = true;
  }

  function select_tool(name) {
    clear();
    status.textContent = "";
    tool = tool === name ? null : name;
    document.querySelectorAll("#hand-tools [data-tool]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
    });
    document.getElementById("tool-help").textContent = tool ? HELP[tool] : "Pick a tool, then click on the map.";
    // While measuring, clicks go to the tool: features and catalogue rings stop taking them (maps.css), and a
    // double click adds a point instead of zooming.
    map.getContainer().classList.toggle("hand-tool-active", !!tool);
    if (tool) { map.doubleClickZoom.disable(); } else { map.doubleClickZoom.enable(); }
  }

  function mark(p) {
    L.circleMarker([p[1], p[0]], { radius: 4, color: "#ffd23f", weight: 2, fillOpacity: 1, interactive: false }).addTo(layer);
  }

  function showCrater(c) {
    crater = c;
    L.polygon(latlngs(S.smallCircle([c.lon, c.lat], c.radiusKm, R, 96)),
              { color: "#ff6b3d", weight: 2, fill: false, dashArray: "4 3", interactive: false }).addTo(layer);
    L.circleMarker([c.lat, c.lon], { radius: 3, color: "#ff6b3d", fillOpacity: 1, interactive: false }).addTo(layer);
    setReadout("Crater D = " + fmt(c.diameterKm, 3) + " km at " + deg(c.lon, c.lat) + " on " + BODY,
               c.diameterKm, "crater");
    offerImages(c);
  }

  function inside(r, c) {
    var f = r.footprint;
    return f && c.lon >= f[0] && c.lon <= f[2] && c.lat >= f[1] && c.lat <= f[3];
  }

  function offerImages(c) {
    select.innerHTML = "";
    var editable = data.rasters.filter(function (r) { return r.editable; });
    editable.sort(function (a, b) { return Number(inside(b, c)) - Number(inside(a, c)); });
    editable.forEach(function (r) {
      var o = document.createElement("option");
      o.value = r.id;
      o.textContent = r.title + (r.project ? " (" + r.project + ")" : "") + (inside(r, c) ? "" : " — crater outside");
      select.appendChild(o);
    });
    saveBox.hidden = false;
    document.getElementById("crater-save-button").disabled = !editable.length;
    status.textContent = editable.length ? "" : "You may not add craters to the counts of these images.";
  }

  map.on("click", function (e) {
    if (!tool) { return; }
    var p = [e.latlng.lng, e.latlng.lat];
    if ((tool === "rim" && points.length === 3) || (tool === "centre" && points.length === 2)) { clear(); }
    points.push(p);
    mark(p);
    status.textContent = "";
    if (tool === "distance") {
      if (points.length > 1) {
        layer.addLayer(L.polyline(latlngs(densify(points)), { color: "#ffd23f", weight: 2, interactive: false }));
        var km = S.lengthKm(points, R);
        setReadout("Length " + fmt(km, 3) + " km on " + BODY + " (" + points.length + " points)", km, "length");
      }
    } else if (tool === "area") {
      layer.eachLayer(function (l) { if (l instanceof L.Polygon) { layer.removeLayer(l); } });
      if (points.length > 2) {
        layer.addLayer(L.polygon(latlngs(densify(points.concat([points[0]]))), { color: "#ffd23f", weight: 2, fillOpacity: 0.1, interactive: false }));
        var a = S.areaKm2(points, R), per = S.lengthKm(points.concat([points[0]]), R);
        setReadout("Area " + fmt(a, 2) + " km², perimeter " + fmt(per, 3) + " km on " + BODY, a, "area");
      }
    } else if (tool === "rim" && points.length === 3) {
      var c = S.craterFromRim(points, R);
      if (!c) { setReadout("These three points lie on a line: click three points on the rim."); return; }
      showCrater(c);
    } else if (tool === "centre" && points.length === 2) {
      var r = S.distanceKm(points[0], points[1], R);
      showCrater({ lon: S.wrapLon(points[0][0]), lat: points[0][1], radiusKm: r, diameterKm: 2 * r });
    }
  });

  /* Great-circle edges drawn as such: intermediate points along each edge (a long edge is not straight in lon/lat). */
  function densify(pts) {
    var out = [pts[0]];
    for (var i = 1; i < pts.length; i++) {
      var a = pts[i - 1], b = pts[i], km = S.distanceKm(a, b, R), steps = Math.min(64, Math.ceil(km / (R / 1000 * 0.02)));
      for (var k = 1; k <= steps; k++) { out.push(intermediate(a, b, k / steps)); }
    }
    return out;
  }

  function intermediate(a, b, f) {
    var rad = Math.PI / 180, d = S.distanceKm(a, b, 1000);  // central angle in radians on a 1 km sphere
    if (d === 0) { return b; }
    var A = Math.sin((1 - f) * d) / Math.sin(d), B = Math.sin(f * d) / Math.sin(d);
    var x = A * Math.cos(a[1] * rad) * Math.cos(a[0] * rad) + B * Math.cos(b[1] * rad) * Math.cos(b[0] * rad);
    var y = A * Math.cos(a[1] * rad) * Math.sin(a[0] * rad) + B * Math.cos(b[1] * rad) * Math.sin(b[0] * rad);
    var z = A * Math.sin(a[1] * rad) + B * Math.sin(b[1] * rad);
    var lon = Math.atan2(y, x) / rad;
    lon += 360 * Math.round((a[0] + f * (b[0] - a[0]) - lon) / 360);  // stay on the side the user drew
    return [lon, Math.atan2(z, Math.hypot(x, y)) / rad];
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  document.getElementById("crater-save-button").addEventListener("click", function () {
    if (!crater || !select.value) { return; }
    var body = { body: data.body.slug };
    if (tool === "rim") { body.method = "rim"; body.rim = points.slice(0, 3); } else {
      body.method = "centre"; body.centre = [crater.lon, crater.lat]; body.radius_km = crater.radiusKm;
    }
    var raster = data.rasters.filter(function (r) { return String(r.id) === select.value; })[0];
    status.textContent = "Saving…";
    fetch(data.urls.manual_craters.replace("{id}", select.value), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).then(function (res) {
      if (!res.ok) {
        var detail = res.body.detail || Object.keys(res.body).map(function (k) { return k + ": " + res.body[k]; }).join("; ");
        status.textContent = "Not saved: " + detail;
        return;
      }
      var f = res.body;
      status.textContent = "";
      status.dataset.feature = f.id;
      status.appendChild(document.createTextNode("Saved crater #" + f.id + " (D = " + fmt(f.diameter_km, 3) +
        " km) in the manual count of " + raster.title + ". "));
      var link = document.createElement("a");
      link.href = data.urls.stats_analysis.replace("{id}", f.analysis);
      link.textContent = "Its statistics (CSFD, model age)";
      link.id = "manual-count-stats";
      status.appendChild(link);
      saveBox.hidden = true;
      document.dispatchEvent(new CustomEvent("geoplanet:features-changed"));
    }).catch(function () { status.textContent = "Not saved: the server did not answer."; });
  });

  document.querySelectorAll("#hand-tools [data-tool]").forEach(function (b) {
    b.addEventListener("click", function () { select_tool(b.dataset.tool); });
  });
  document.getElementById("tool-clear").addEventListener("click", function () { clear(); status.textContent = ""; });
})();

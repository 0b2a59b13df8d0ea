/* Analysis review page: features on the body's map coloured by review status; click one to review or comment on it.
 * Redraw uses Leaflet.draw (vendor/leaflet-draw); outlines are sent as GeoJSON in the body's lon/lat.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var COLORS = { unreviewed: "#f0c419", confirmed: "#2e9e44", rejected: "#888888", relabelled: "#3f7fe0", redrawn: "#a04fd0" };
  var selected = null, pin = null, pinMarker = null;
  var map = null, layer = null;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail || JSON.stringify(j)); } return j; }); });
  }
  function style(feature) {
    var status = feature.properties.review_status;
    return { color: COLORS[status] || "#f0c419", weight: 2, fillOpacity: status === "rejected" ? 0.05 : 0.25, dashArray: status === "rejected" ? "4 4" : null,
             className: "feature feature-" + feature.id + " status-" + status };
  }
  function setPin(latlng) {
    pin = latlng;
    if (pinMarker) { map.removeLayer(pinMarker); }
    pinMarker = L.circleMarker(latlng, { radius: 5, color: "#d33", className: "comment-pin" }).addTo(map);
    document.getElementById("comment-pin").textContent = "Pinned at " + latlng.lng.toFixed(3) + "°E, " + latlng.lat.toFixed(3) + "°" +
      (selected ? " on feature " + selected.id : "") + ".";
  }
  function select(feature, latlng) {
    selected = feature;
    var p = feature.properties;
    document.getElementById("review-panel").hidden = false;
    document.getElementById("review-feature").textContent = String(feature.id);
    document.getElementById("review-feature-link").href = "../../features/" + feature.id + "/";
    document.getElementById("review-class").textContent = p.effective_class;
    document.getElementById("review-status").textContent = p.review_status;
    if (latlng) { setPin(latlng); }
  }
  function review(action, extra) {
    if (!selected) { return; }
    var body = Object.assign({ action: action }, extra || {});
    post(data.reviewApi.replace("{id}", selected.id), body).then(function () { window.location.reload(); })
      .catch(function (e) { document.getElementById("comment-error").textContent = e.message; });
  }
  function redraw() {
    if (!selected || !L.Draw) { return; }
    // Leaflet 1.9 reports pointer devices as touch and Leaflet.draw 1.0.4 would then handle each click twice,
    // dropping vertices (the explorer carries the same fix).
    L.Draw.Polyline.prototype._onTouch = L.Util.falseFn;
    var drawer = new L.Draw.Polygon(map, { shapeOptions: { color: COLORS.redrawn } });
    map.once(L.Draw.Event.CREATED, function (e) { review("redraw", { geometry: e.layer.toGeoJSON().geometry }); });
    drawer.enable();
  }

  var m = data.map;
  if (m && m.georeferenced && m.radius_m) {
    var handle = GeoPlanetMap.create("map", { georeferenced: true, radius_m: m.radius_m, body: m.body, cursorElement: document.getElementById("cursor") });
    map = handle.map;
    if (m.status === "ready") { GeoPlanetMap.addRaster(handle, m); }
    layer = L.geoJSON(data.features, {
      style: style,
      onEachFeature: function (feature, l) {
        // Leaflet reads tooltip strings as HTML: every value is escaped
        l.bindTooltip(GeoPlanetMap.escapeHtml(feature.properties.effective_class + " " + feature.id + " · " + feature.properties.review_status));
        l.on("click", function (e) { L.DomEvent.stopPropagation(e); select(feature, e.latlng); });
      }
    }).addTo(map);
    if (data.features.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 8, padding: [20, 20] }); }
    map.on("click", function (e) { selected = null; document.getElementById("review-panel").hidden = true; setPin(e.latlng); });
    // Comments pinned to a place on the body are shown where they were made.
    document.querySelectorAll("#comments li[data-lon]").forEach(function (item) {
      var lon = parseFloat(item.getAttribute("data-lon")), lat = parseFloat(item.getAttribute("data-lat"));
      if (!isFinite(lon) || !isFinite(lat)) { return; }
      var author = item.querySelector("strong");
      L.circleMarker([lat, lon], { radius: 6, color: "#ffd23f", weight: 2, className: "comment-pin-saved" })
        .bindTooltip(GeoPlanetMap.escapeHtml("Comment by " + (author ? author.textContent : "someone"))).addTo(map);
    });
    window.geoplanetMap = map;
  } else {
    document.getElementById("map").hidden = true;
  }

  var classSelect = document.getElementById("review-new-class");
  if (classSelect) {
    data.classes.forEach(function (c) { var o = document.createElement("option"); o.value = c; o.textContent = c; classSelect.appendChild(o); });
  }
  document.querySelectorAll("#review-panel button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.getAttribute("data-action");
      if (action === "redraw") { redraw(); } else if (action === "relabel") { review(action, { new_class: classSelect.value }); } else { review(action); }
    });
  });
  document.getElementById("comment-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { text: document.getElementById("comment-text").value };
    if (selected) { body.feature = selected.id; } else { body.analysis = data.analysis; }
    if (pin) { body.lon = pin.lng; body.lat = pin.lat; }
    post(data.commentApi, body).then(function () { window.location.reload(); })
      .catch(function (err) { document.getElementById("comment-error").textContent = err.message; });
  });
})();

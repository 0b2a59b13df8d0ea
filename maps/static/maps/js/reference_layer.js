/* Reference crater catalogues of a body as vector-tile layers (one per catalogue, off until toggled in the layer
 * control), drawn as open rings of the crater's true size on the body, apart from the filled detections.
 * The catalogue's citation goes to the attribution, escaped. Used by explorer.js: GeoPlanetReference.add(...). */
(function () {
  "use strict";
  var COLOR = "#d68cff";

  function radiusPx(diameterKm, zoom, radiusM) {
    // Leaflet's lon/lat grid: a 256 px tile spans 180 / 2^z degrees at every latitude.
    var kmPerPx = (180 / Math.pow(2, zoom) / 256) * (Math.PI / 180) * (radiusM / 1000);
    return Math.max(1.5, diameterKm / 2 / kmPerPx);
  }

  function add(map, control, reference, body) {
    var esc = GeoPlanetMap.escapeHtml;
    map.createPane("reference").style.zIndex = 440;  // under the detections' pane (450)
    var layers = {};
    (reference.catalogues || []).forEach(function (cat) {
      var url = reference.tiles + "?catalogue=" + encodeURIComponent(cat.slug);
      var layer = L.vectorGrid.protobuf(url, {
        rendererFactory: L.canvas.tile, interactive: true, pane: "reference", maxNativeZoom: 16, maxZoom: 18,
        noWrap: true, fetchOptions: { credentials: "same-origin" },
        attribution: "Reference craters: " + esc(cat.citation),
        vectorTileLayerStyles: {
          reference: function (props, zoom) {
            return { radius: radiusPx(props.diameter_km, zoom, body.radius_m), color: COLOR, weight: 1.2,
                     opacity: 0.9, dashArray: "4 3", fill: false };
          }
        }
      });
      layer.on("click", function (e) {
        var p = e.layer.properties;
        L.popup().setLatLng(e.latlng).setContent("<strong>" + esc(cat.name) + "</strong><br>diameter: " +
          Number(p.diameter_km).toFixed(2) + " km<br><small>" + esc(cat.citation) + "</small>").openOn(map);
      });
      control.addOverlay(layer, "Reference: " + esc(cat.name) + " (" + Number(cat.crater_count).toLocaleString("en") + ")");
      layers[cat.slug] = layer;
    });
    return layers;
  }

  window.GeoPlanetReference = { add: add, radiusPx: radiusPx };
})();

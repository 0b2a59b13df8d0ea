/* Measurements on a body's sphere (radius in metres from the page's body), never on Earth's: great-circle
 * lengths, areas of polygons with great-circle edges, and craters from three rim points the way CraterTools
 * measures them (maps/core/hand_craters.py does the same on the server, which stores the result).
 * Points are [lon, lat] in degrees. Usable in the page (window.GeoPlanetSphere) and in Node (tests). */
(function (root) {
  "use strict";
  var RAD = Math.PI / 180;

  /* Central angle between two points (the Vincenty form of the haversine: exact at 0 and at antipodes). */
  function centralAngle(a, b) {
    var p1 = a[1] * RAD, p2 = b[1] * RAD, dl = (b[0] - a[0]) * RAD;
    var x = Math.sin(p1) * Math.sin(p2) + Math.cos(p1) * Math.cos(p2) * Math.cos(dl);
    var y = Math.hypot(Math.cos(p2) * Math.sin(dl),
                       Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl));
    return Math.atan2(y, x);
  }

  function distanceKm(a, b, radiusM) { return centralAngle(a, b) * radiusM / 1000; }

  function lengthKm(points, radiusM) {
    var total = 0;
    for (var i = 1; i < points.length; i++) { total += distanceKm(points[i - 1], points[i], radiusM); }
    return total;
  }

  /* Area of a polygon whose edges are great circles: the spherical excess, summed edge by edge with the
   * tangent formula for the triangle each edge makes with the pole (exact on a sphere; pyproj.Geod and PostGIS
   * geography measure the same polygon). */
  function areaKm2(points, radiusM) {
    var n = points.length;
    if (n < 3) { return 0; }
    var excess = 0, turn = 0;
    for (var i = 0; i < n; i++) {
      var a = points[i], b = points[(i + 1) % n];
      var dl = ((b[0] - a[0]) * RAD + 3 * Math.PI) % (2 * Math.PI) - Math.PI;  // shortest way round
      var t1 = Math.tan(a[1] * RAD / 2), t2 = Math.tan(b[1] * RAD / 2);
      excess += 2 * Math.atan2(Math.tan(dl / 2) * (t1 + t2), 1 + t1 * t2);
      turn += dl;
    }
    // A ring that goes once round a pole: each edge's triangle was taken with the other pole, off by a hemisphere.
    if (Math.abs(turn) > Math.PI) { excess -= (turn > 0 ? 2 : -2) * Math.PI; }
    var sr = Math.abs(excess) % (4 * Math.PI);
    sr = Math.min(sr, 4 * Math.PI - sr);  // a ring encloses two regions: the smaller is meant
    var rKm = radiusM / 1000;
    return sr * rKm * rKm;
  }

  /* The point at a great-circle distance (km) and azimuth (degrees clockwise from north) from ``from``. */
  function destination(from, azimuthDeg, km, radiusM) {
    var d = km * 1000 / radiusM, az = azimuthDeg * RAD;
    var p1 = from[1] * RAD, l1 = from[0] * RAD;
    var p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(az));
    var l2 = l1 + Math.atan2(Math.sin(az) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    return [l2 / RAD, p2 / RAD];
  }

  function azimuthDeg(from, to) {
    var p1 = from[1] * RAD, p2 = to[1] * RAD, dl = (to[0] - from[0]) * RAD;
    return Math.atan2(Math.sin(dl) * Math.cos(p2),
                      Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl)) / RAD;
  }

  /* Azimuthal equidistant coordinates (km, x east, y north) of ``p`` around ``centre``. */
  function toPlane(centre, p, radiusM) {
    var d = distanceKm(centre, p, radiusM), az = azimuthDeg(centre, p) * RAD;
    return [d * Math.sin(az), d * Math.cos(az)];
  }

  function fromPlane(centre, x, y, radiusM) {
    return destination(centre, Math.atan2(x, y) / RAD, Math.hypot(x, y), radiusM);
  }

  function circumcentre(a, b, c) {
    var d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]));
    if (Math.abs(d) < 1e-12) { return null; }
    var a2 = a[0] * a[0] + a[1] * a[1], b2 = b[0] * b[0] + b[1] * b[1], c2 = c[0] * c[0] + c[1] * c[1];
    return [(a2 * (b[1] - c[1]) + b2 * (c[1] - a[1]) + c2 * (a[1] - b[1])) / d,
            (a2 * (c[0] - b[0]) + b2 * (a[0] - c[0]) + c2 * (b[0] - a[0])) / d];
  }

  function wrapLon(lon) { return ((lon + 180) % 360 + 360) % 360 - 180; }

  /* The crater through three rim points: the circle fitted in a projection centred at the crater (re-centred
   * until the centre stops moving), so its radius is the great-circle distance from the centre: true scale. */
  function craterFromRim(rim, radiusM) {
    var v = [0, 0, 0];
    rim.forEach(function (p) {
      v[0] += Math.cos(p[1] * RAD) * Math.cos(p[0] * RAD);
      v[1] += Math.cos(p[1] * RAD) * Math.sin(p[0] * RAD);
      v[2] += Math.sin(p[1] * RAD);
    });
    var centre = [Math.atan2(v[1], v[0]) / RAD, Math.atan2(v[2], Math.hypot(v[0], v[1])) / RAD];
    for (var i = 0; i < 8; i++) {
      var plane = rim.map(function (p) { return toPlane(centre, p, radiusM); });
      var c = circumcentre(plane[0], plane[1], plane[2]);
      if (!c) { return null; }
      centre = fromPlane(centre, c[0], c[1], radiusM);
      if (Math.hypot(c[0], c[1]) < 1e-9) { break; }
    }
    var r = rim.reduce(function (sum, p) { return sum + distanceKm(centre, p, radiusM); }, 0) / rim.length;
    return { lon: wrapLon(centre[0]), lat: centre[1], radiusKm: r, diameterKm: 2 * r };
  }

  /* A crater's rim as [lon, lat] points (longitudes continuous: Leaflet draws it whole across 180). */
  function smallCircle(centre, radiusKm, radiusM, vertices) {
    var n = vertices || 64, ring = [];
    for (var i = 0; i < n; i++) { ring.push(destination(centre, 360 * i / n, radiusKm, radiusM)); }
    return ring;
  }

  var api = { distanceKm: distanceKm, lengthKm: lengthKm, areaKm2: areaKm2, destination: destination,
              craterFromRim: craterFromRim, smallCircle: smallCircle, wrapLon: wrapLon };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; } else { root.GeoPlanetSphere = api; }
})(this);

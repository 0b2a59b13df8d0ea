"""Geometry columns holding lon/lat on the row's own body.

PostGIS cannot mix SRIDs in one typed column, and labelling Mars coordinates with an Earth SRID would be a lie
that any client could act on. So geometry columns carry SRID 0 ("lon/lat degrees on the body named by the row"),
the body is a foreign key, and code that needs a full CRS (exports, vector tiles, OGC API) takes it from the
body, whose geographic CRS is registered in ``spatial_ref_sys`` under ``Body.srid``.
"""

BODY_LONLAT_SRID = 0

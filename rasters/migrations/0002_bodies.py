"""Fill the Body table from PROJ's IAU 2015 database and register each body's geographic CRS in PostGIS."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rasters.core.bodies import all_bodies, body_fields

    body_model = apps.get_model("rasters", "Body")
    with schema_editor.connection.cursor() as cursor:
        for body in all_bodies():
            body_model.objects.update_or_create(slug=body.slug, defaults=body_fields(body))
            if body.srid == 4326:
                continue  # PostGIS ships EPSG:4326
            auth_name, auth_srid = ("IAU_2015", body.iau_code)
            cursor.execute(
                """
                INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (srid) DO UPDATE SET auth_name = EXCLUDED.auth_name, auth_srid = EXCLUDED.auth_srid,
                    srtext = EXCLUDED.srtext, proj4text = EXCLUDED.proj4text
                """,
                [body.srid, auth_name, auth_srid, body.crs_wkt, body.proj4],
            )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rasters.core.bodies import all_bodies

    srids = [body.srid for body in all_bodies() if body.srid != 4326]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM spatial_ref_sys WHERE srid = ANY(%s)", [srids])
    apps.get_model("rasters", "Body").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rasters", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

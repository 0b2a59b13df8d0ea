"""Fill the Body table from PROJ's IAU 2015 database and register each body's geographic CRS in PostGIS."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The same rows as rasters.services.body_register, which registers a body this list gains later.
    from rasters.core.bodies import SPATIAL_REF_SYS_UPSERT, all_bodies, body_fields, spatial_ref_sys_params

    body_model = apps.get_model("rasters", "Body")
    with schema_editor.connection.cursor() as cursor:
        for body in all_bodies():
            body_model.objects.update_or_create(slug=body.slug, defaults=body_fields(body))
            params = spatial_ref_sys_params(body)
            if params is not None:
                cursor.execute(SPATIAL_REF_SYS_UPSERT, params)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rasters.core.bodies import all_bodies

    srids = [body.srid for body in all_bodies() if body.srid != 4326]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM spatial_ref_sys WHERE srid = ANY(%s)", [srids])
    apps.get_model("rasters", "Body").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rasters", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

"""The data version behind the vector tile cache: a one-row counter and the triggers that raise it.

Deferred constraint triggers fire at commit, so the counter's row is locked only while a transaction commits
(never for the length of a detection run), and a transaction-local flag makes the update once per transaction.
"""

from django.db import migrations, models

TABLES = ("segmentation_feature", "rasters_raster", "collab_membership")

FUNCTION = """
CREATE OR REPLACE FUNCTION maps_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('maps.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
    PERFORM set_config('maps.data_version_bumped', 'on', true);
    -- An upsert: a flushed table (TransactionTestCase) starts counting again.
    INSERT INTO maps_dataversion (id, version) VALUES (1, 1)
      ON CONFLICT (id) DO UPDATE SET version = maps_dataversion.version + 1;
  END IF;
  RETURN NULL;
END $$;
"""


def trigger(table: str) -> str:
    return (f"CREATE CONSTRAINT TRIGGER maps_data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION maps_bump_data_version();")


class Migration(migrations.Migration):

    dependencies = [
        ("maps", "0003_export_formats_craterstats"),
        ("segmentation", "0001_initial"),
        ("rasters", "0003_raster_project_raster_visibility"),
        ("collab", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(
            ["INSERT INTO maps_dataversion (id, version) VALUES (1, 0);", FUNCTION, *map(trigger, TABLES)],
            [*(f"DROP TRIGGER IF EXISTS maps_data_version ON {t};" for t in TABLES),
             "DROP FUNCTION IF EXISTS maps_bump_data_version();"],
        ),
    ]

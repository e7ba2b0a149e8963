"""On PostgreSQL, the database itself refuses to change or delete an audit entry."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION veille_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal des accès ne se modifie pas et ne se supprime pas.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION veille_audit_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS veille_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

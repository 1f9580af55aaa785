"""Files of an item are reviewed like its text: a status, who published it and when, and the
file it replaces. Files stored before stay public."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def keep_stored_files_public(apps, schema_editor):
    """Files attached before files were reviewed were public already: they stay public, so
    nothing the public could download disappears. Their publisher is not known."""
    attachment = apps.get_model("content", "Attachment")
    attachment.objects.update(status="published", published_at=F("uploaded_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0006_review_and_health'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='attachment',
            name='published_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='attachment',
            name='replaces',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replacements', to='content.attachment', verbose_name='replaces'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('replaced', 'Replaced')], default='draft', max_length=12, verbose_name='status'),
        ),
        migrations.RunPython(keep_stored_files_public, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='attachment',
            index=models.Index(fields=['item', 'language', 'status'], name='content_att_item_id_6a1061_idx'),
        ),
    ]

"""Every information item gets a review-by date and a responsible unit.

Items stored before: reviewed on the day their source was last published (review by a year
later), else due a year after they were created; their unit is the unit of the person who
wrote the first version of their source, when known."""

import calendar
from datetime import date

import coop4int.content.review_dates
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


# A frozen copy of ``content.review_dates.next_review`` as it was when this migration was
# written: a migration must not change when the application does.
def next_review(day: date) -> date:
    index = day.year * 12 + day.month - 1 + 12
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def fill_review_dates_and_units(apps, schema_editor):
    ContentItem = apps.get_model("content", "ContentItem")
    Revision = apps.get_model("content", "Revision")
    for item in ContentItem.objects.all():
        source = Revision.objects.filter(
            translation__item=item, translation__language=item.source_language
        )
        published = source.filter(status="published").order_by("-saved_at", "-id").first()
        if published is not None:
            item.last_reviewed_on = timezone.localdate(published.saved_at)
            item.review_by = next_review(item.last_reviewed_on)
        else:
            item.review_by = next_review(timezone.localdate(item.created_at))
        if item.unit_id is None:
            first = source.select_related("saved_by").order_by("saved_at", "id").first()
            if first is not None and first.saved_by is not None:
                item.unit_id = first.saved_by.unit_id
        item.save(update_fields=["last_reviewed_on", "review_by", "unit"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('content', '0005_feedback_source'),
    ]

    operations = [
        migrations.CreateModel(
            name='HealthReminder',
            fields=[
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='accounts.unit')),
                ('sent_on', models.DateField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name='contentitem',
            name='last_reviewed_on',
            field=models.DateField(blank=True, null=True, verbose_name='last reviewed on'),
        ),
        migrations.AddField(
            model_name='contentitem',
            name='review_by',
            field=models.DateField(default=coop4int.content.review_dates.default_review_by, verbose_name='review by'),
        ),
        migrations.AlterField(
            model_name='contentitem',
            name='unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.unit', verbose_name='responsible unit'),
        ),
        migrations.RunPython(fill_review_dates_and_units, migrations.RunPython.noop),
    ]

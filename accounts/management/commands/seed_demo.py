import os

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from accounts.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organization 'Demo Corp' with owner 'demo'. Safe to run twice."

    def handle(self, *args, **options):
        # The demo's tasks (scoring, roadmaps) run here, in process, so the data is complete when this returns,
        # whether or not a worker runs yet. The emails its team would get (assigned areas, reviews, mentions) are
        # not sent: the demo's addresses are made up, and the console backend would print them into this output.
        from config.celery import app

        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = seed_demo(password=os.environ.get("DEMO_PASSWORD") or None)
        finally:
            app.conf.task_always_eager = eager
        self.stdout.write(self.style.SUCCESS(f"Demo organization: {result.organization.name}"))
        source = "generated; set DEMO_PASSWORD to choose it" if result.password_generated else "from DEMO_PASSWORD"
        self.stdout.write(f"Log in as: {result.username}  password: {result.password}  ({source})")
        self.stdout.write(
            f"Operator (Django admin at /admin/, the demo organization only): {result.operator_username}  "
            f"password: {result.password}  (the same)"
        )
        for note in result.notes:
            self.stdout.write(note)

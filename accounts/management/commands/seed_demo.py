import os

from django.core.management.base import BaseCommand

from accounts.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organization 'Demo Corp' with owner 'demo'. Safe to run twice."

    def handle(self, *args, **options):
        result = seed_demo(password=os.environ.get("DEMO_PASSWORD") or None)
        self.stdout.write(self.style.SUCCESS(f"Demo organization: {result.organization.name}"))
        source = "generated; set DEMO_PASSWORD to choose it" if result.password_generated else "from DEMO_PASSWORD"
        self.stdout.write(f"Log in as: {result.username}  password: {result.password}  ({source})")
        for note in result.notes:
            self.stdout.write(note)

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.selectors import memberships_of_user


class Command(BaseCommand):
    help = "Issue a REST API token for USERNAME in one of their organizations and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", help="Organization slug; needed when the user is in several.")
        parser.add_argument("--name", default="command line", help="A name to recognise the token by.")

    def handle(self, *args, username: str, org: str | None, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        memberships = memberships_of_user(user=user)
        if org:
            memberships = memberships.filter(organization__slug=org)
        memberships = list(memberships)
        if not memberships:
            raise CommandError(
                f"{username} is not a member of {org!r}." if org else f"{username} is in no organization."
            )
        if len(memberships) > 1:
            slugs = ", ".join(m.organization.slug for m in memberships)
            raise CommandError(f"{username} is in several organizations; choose one with --org ({slugs}).")
        _, raw = services.api_token_issue(user=user, organization=memberships[0].organization, name=name)
        self.stdout.write(raw)

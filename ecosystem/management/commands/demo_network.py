from django.core.management.base import BaseCommand

from ecosystem.demo import DEMO_COMPANIES, DEMO_PASSWORD, demo_network_load
from tenants.domains import company_url, network_url


class Command(BaseCommand):
    help = "Loads the demo network (companies, people, memberships) unless it is there already."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        demo_network_load()
        self.stdout.write(self.style.SUCCESS("Demo network ready."))
        self.stdout.write(f"  Network home:  {network_url('/')}")
        for demo in DEMO_COMPANIES:
            people = ", ".join(f"{email} ({role})" for _, email, role in demo.people)
            self.stdout.write(f"  {demo.name:<20} {company_url(demo.slug)}  {people}")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(f"  Platform admin: {network_url('/admin/')} (manage.py createsuperuser)")

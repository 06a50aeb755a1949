from django.core.management.base import BaseCommand

from tenants.services.network import network_ensure
from tenants.services.provisioning import schema_pool_fill, template_ensure


class Command(BaseCommand):
    help = (
        "Creates the network's public tenant and domain, the template schema and the schema pool."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--pool-size", type=int, default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        network_ensure()
        template_ensure()
        added = schema_pool_fill(size=options["pool_size"])
        self.stdout.write(f"network ready; {added} schema(s) added to the pool")

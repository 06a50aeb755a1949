from django.apps import AppConfig


class LensConfig(AppConfig):
    """A company's private lens on the shared records it takes part in (its schema): internal
    comment threads that never leave the company. It sits beside the shared record it looks at;
    its table is in each company's schema while `sharing`'s are in the network's."""

    name = "sharing.lens"
    label = "lens"

"""The network's canonical vocabularies: the values every company's records carry on the
network, whatever each company calls them (its business schema maps them to its own words).
Lowest layer: plain choices, importing nothing of the product."""

from django.core.validators import RegexValidator
from django.db import models

# Money on the network is in ISO 4217 currencies; every amount field validates with this.
currency_code = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as USD or EUR."
)


class Stage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    QUALIFY = "qualify", "Qualify"
    PROPOSE = "propose", "Propose"
    NEGOTIATE = "negotiate", "Negotiate"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Motion(models.TextChoices):
    SELL_WITH = "sell_with", "Sell-with"
    SELL_THROUGH = "sell_through", "Sell-through"
    REFERRAL = "referral", "Referral"


class DealRole(models.TextChoices):
    """A partner's part in a deal."""

    SOURCED = "sourced", "Sourced"
    INFLUENCED = "influenced", "Influenced"
    FULFILLING = "fulfilling", "Fulfilling"


class SharingRole(models.TextChoices):
    """What a company on a sharing list may do with the record."""

    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor"
    MANAGER = "manager", "Manager"

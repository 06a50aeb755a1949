"""The network's canonical vocabularies. Each company maps them to its own terms (issue #4);
shared records always carry the canonical values."""

from django.db import models


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

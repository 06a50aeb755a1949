"""Where a company lives: its host and the absolute URLs we build for it (e-mails, switcher)."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40
# Lowercase letters and digits in runs joined by single hyphens: no leading, trailing or double
# hyphen. Ruling out "--" also rules out punycode labels ("xn--…"), which browsers show as
# Unicode look-alikes of other addresses.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Addresses we keep for the service itself: infrastructure names, our own product words and the
# ones a phishing e-mail would use. Matched on the slug's core (leading and trailing digits and
# hyphens removed) compared by skeleton, so "admin-2", "2admin", "ad-min" and "adm1n" are all
# reserved; "acme-admin" is not (see RESERVED_WORDS_ANYWHERE for the words that are).
RESERVED_SLUGS = frozenset(
    [
        # ours
        "ecosystem",
        "ecosystem-cloud",
        "network",
        "partners",
        "workspace",
        "workspaces",
        # infrastructure
        "api",
        "app",
        "apps",
        "assets",
        "cdn",
        "dns",
        "files",
        "ftp",
        "imap",
        "localhost",
        "mail",
        "media",
        "mx",
        "ns",
        "pop",
        "smtp",
        "static",
        "uploads",
        "vpn",
        "webmail",
        "www",
        # the database and our own rows (schemas, the template and the pool)
        "information-schema",
        "internal",
        "pg",
        "pool",
        "postgres",
        "postgresql",
        "public",
        "system",
        "template",
        # environments
        "demo",
        "dev",
        "prod",
        "production",
        "sandbox",
        "staging",
        "test",
        # what a phishing e-mail would point at
        "account",
        "accounts",
        "admin",
        "administrator",
        "billing",
        "blog",
        "dashboard",
        "docs",
        "help",
        "home",
        "invoice",
        "invoices",
        "payment",
        "payments",
        "portal",
        "root",
        "security",
        "status",
        "support",
        "verify",
    ]
)
# Sign-in words are refused anywhere in a slug as a whole word between hyphens ("acme-login",
# "sso-acme"): a company's address followed by one of them reads like our sign-in page for that
# company. Only whole words, so "associates" (contains "sso") is fine.
RESERVED_WORDS_ANYWHERE = frozenset(
    [
        "auth",
        "login",
        "logon",
        "logout",
        "oauth",
        "password",
        "signin",
        "signon",
        "signup",
        "sso",
    ]
)
# A slug whose first word is one of these looks like a database schema ("pg-catalog").
RESERVED_PREFIXES = frozenset(["pg"])
# Words that add nothing to who a company is: a company's address or name with one of these
# at the end ("northwind-co", "northwind-admin", "Northwind Cloud Inc") is the same company to a
# hurried reader, so skeletons drop them.
NOISE_WORDS = frozenset(
    [
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "plc",
        "group",
        "hq",
        "official",
        "team",
        "admin",
        "support",
        "help",
        "security",
        "billing",
        "online",
        "app",
        "partner",
        "partners",
        "secure",
        "verify",
        "account",
        "hr",
        "eu",
        "us",
        "uk",
        "global",
        "intl",
        "international",
    ]
)
# ... and in front ("my-northwind", "thenorthwind")
NOISE_PREFIXES = ("my", "the", "get", "go", "join", "team", "official", "partners", "partner")
# Noise words long enough to strip when run together with the name ("harborsecurity"); short
# ones ("us", "co") would cut real words ("campus", "taco").
_RUN_TOGETHER_NOISE = tuple(sorted((w for w in NOISE_WORDS if len(w) >= 6), key=len, reverse=True))

# The ASCII look-alikes that matter in a lowercase address bar, after Unicode's confusables
# (UTS #39): 0 for o, 1 and i for l, 5 for s, and the letter pairs rn, vv and cl drawn like m, w
# and d ("i" first, so "ci" folds like "cl"). Slugs are ASCII by pattern, so this small map is
# all they need; a Unicode table would add nothing. Other digits stay digits, so numbered
# names ("Company 6", "Company 8") stay different.
_DIGITS_AS_LETTERS = str.maketrans("015", "ols")
_LOOK_ALIKE_PAIRS = (("i", "l"), ("vv", "w"), ("rn", "m"), ("cl", "d"))


def _skeleton_ascii(text: str) -> str:
    text = text.translate(_DIGITS_AS_LETTERS)
    for pair, letter in _LOOK_ALIKE_PAIRS:
        text = text.replace(pair, letter)
    return text


def _without_noise(words: list[str]) -> list[str]:
    """Drops noise words at the end and in front, and long ones run together at the end, as
    long as something is left to compare."""
    while len(words) > 1 and words[-1] in NOISE_WORDS:
        words = words[:-1]
    while len(words) > 1 and words[0] in NOISE_PREFIXES:
        words = words[1:]
    if len(words) == 1:
        word = words[0]
        for prefix in NOISE_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 5:
                word = word[len(prefix) :]
                break
        for noise in _RUN_TOGETHER_NOISE:
            if word.endswith(noise) and len(word) - len(noise) >= 3:
                word = word[: -len(noise)]
                break
        words = [word]
    return words


def slug_skeleton(slug: str) -> str:
    """What a slug looks like to a hurried reader: noise words at the end, hyphens and leading
    and trailing digits dropped, then the look-alike folding above ("n0rth-wind-2",
    "2northwind", "northwind-co", "northvvind" and "northwlnd" all give the skeleton of
    "northwind"). Two slugs with the same skeleton are look-alikes."""
    words = _without_noise([w for w in slug.lower().split("-") if w])
    letters = "".join(words)
    letters = letters.strip("0123456789") or letters
    return _skeleton_ascii(letters)


# Cyrillic and Greek letters drawn exactly like Latin ones, the usual tools of a homograph name
# ("Nоrthwind" with a Cyrillic о). Mapped before case folding, because capitals and small letters
# pass for different Latin letters (Greek Ν is N, ν is v). Accents need no entry: name_skeleton
# strips them. A full Unicode confusables table would need a new dependency for little more.
_SCRIPT_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁһАВЕКМНОРСТХУІЈЅαιουνκρΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhABEKMHOPCTXYIJSaiouvkpABEZHIKMNOPTYX",
)


def name_skeleton(name: str) -> str:
    """What a company name looks like: Cyrillic and Greek look-alike letters read as Latin,
    case, accents, spaces and punctuation dropped, then the same ASCII folding as slugs
    ("Northwlnd Cloud", "NORTHWIND  cloud" and "Nоrthwind Cloud" with a Cyrillic о all give
    the skeleton of "Northwind Cloud"). Unlike slugs, trailing digits stay: "Company 2" and
    "Company 3" are different names."""
    text = unicodedata.normalize("NFKC", name).translate(_SCRIPT_LOOK_ALIKES).casefold()
    text = unicodedata.normalize("NFKD", text)
    words = [
        "".join(ch for ch in w if ch.isalnum() and not unicodedata.combining(ch))
        for w in text.split()
    ]
    text = "".join(_without_noise([w for w in words if w]))
    return _skeleton_ascii(text)[:255]


# Scripts with letters drawn like Latin ones. A word that mixes one of them with Latin letters
# ("Nօrthwind" with an Armenian o) is a homograph, whatever table of look-alikes we keep; a word
# all in one script (a Greek or Armenian company's own name) is fine.
_HOMOGLYPH_SCRIPTS = frozenset(
    ["CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "GEORGIAN", "LISU", "DESERET"]
)


def name_mixes_scripts(name: str) -> bool:
    """Whether a word of `name` mixes Latin letters with letters of a look-alike script."""
    for word in unicodedata.normalize("NFKC", name).split():
        scripts = {unicodedata.name(ch, "UNKNOWN").split(" ")[0] for ch in word if ch.isalpha()}
        if "LATIN" in scripts and scripts & _HOMOGLYPH_SCRIPTS:
            return True
    return False


# Skeletons this long or longer also clash with a one-letter slip of each other ("nortwind",
# "nnorthwind", "northwnid", "harbour" for "harbor"); shorter ones only when equal, or every
# four-letter name would collide with dozens of words.
TYPO_MIN_LENGTH = 6


def look_alike_keys(skeleton: str) -> list[str]:
    """The skeleton and, when long enough, every way to drop one of its letters. Two skeletons
    within one added, dropped, changed or swapped letter share a key (the symmetric-deletion
    trick), so "is there a look-alike?" is one overlap query on an indexed array."""
    if not skeleton:
        return []
    keys = {skeleton}
    if len(skeleton) >= TYPO_MIN_LENGTH:
        keys |= {skeleton[:i] + skeleton[i + 1 :] for i in range(len(skeleton))}
    return sorted(keys)


def _base_domain_words() -> set[str]:
    labels = [label for label in settings.BASE_DOMAIN.lower().split(".") if label]
    return {*labels, "-".join(labels)}


def slug_reserved_reason(slug: str) -> str | None:
    """Why a well-formed slug is kept for the service, or None when it is free to use.

    The policy: a reserved word (RESERVED_SLUGS, and the labels of BASE_DOMAIN) with only
    digits or hyphens around it, a sign-in word anywhere between hyphens, or a first word that
    names a database schema. Words compare by skeleton, so digit and letter look-alikes of a
    reserved word are reserved too."""
    words = slug.split("-")
    core = slug.strip("0123456789-")
    reserved = {slug_skeleton(word) for word in RESERVED_SLUGS | _base_domain_words()}
    if core and slug_skeleton(core) in reserved:
        return "service"
    cores = [word.strip("0123456789") for word in words]
    anywhere = {slug_skeleton(word) for word in RESERVED_WORDS_ANYWHERE}
    if any(slug_skeleton(word) in anywhere for word in cores if word):
        return "sign-in"
    # ... also split by a hyphen ("log-in", "sign-on", "pass-word") or run together at either
    # end ("acmelogin", "loginacme")
    joined = _skeleton_ascii("".join(cores))
    if any(joined.startswith(word) or joined.endswith(word) for word in anywhere):
        return "sign-in"
    prefixes = {slug_skeleton(word) for word in RESERVED_PREFIXES}
    if cores[0] and slug_skeleton(cores[0]) in prefixes:
        return "database"
    if joined.startswith(("pgcatalog", "pgtoast", "pgtemp")):  # PostgreSQL's own schemas
        return "database"
    if words[0] == "xn":  # one hyphen short of a punycode label
        return "punycode"
    # made only of our words and noise ("account-verify", "support-billing")
    ours = reserved | {slug_skeleton(word) for word in NOISE_WORDS}
    if all(slug_skeleton(word) in ours for word in cores if word):
        return "service"
    return None


def name_reserved(name: str) -> bool:
    """Whether a company name reads as the service itself ("Ecosystem Cloud Support")."""
    reserved = {slug_skeleton(word) for word in RESERVED_SLUGS | _base_domain_words()}
    return name_skeleton(name) in reserved


def company_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _origin(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def host_url(host: str, path: str = "/") -> str:
    """An address on one of our hosts (a company's own domain included)."""
    return _origin(host) + path


def company_url(slug: str, path: str = "/") -> str:
    return _origin(company_host(slug)) + path


def network_url(path: str = "/") -> str:
    return _origin(settings.BASE_DOMAIN) + path

"""How a company works with its partners: the partner pages (our partners, the directory, a
company's profile, partnership actions) over the network's partnerships (`sharing.network`,
public schema) and our own record of each partner (`partners.relationships`, our schema)."""

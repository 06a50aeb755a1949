"""The demo's local OpenID provider as both sides know it: ./run starts it with these clients
and accounts (ecosystem.devstack, before Django is set up, so nothing here imports models),
and the demo seed connects Harbor Security to it (ecosystem.demo.identity)."""

DEMO_IDP_CLIENT_ID = "ecosystem-demo"
DEMO_IDP_CLIENT_SECRET = "demo-idp-secret-not-for-production"
# the IdP's people: Harbor's own, and Ines, who is not a member yet (created just in time,
# an admin through her IdP group)
DEMO_IDP_ACCOUNTS = {
    "hana@harbor.example": {"name": "Hana Sato", "groups": ["Security Admins"]},
    "diego@harbor.example": {"name": "Diego Alvarez", "groups": ["Sales"]},
    "ines@harbor.example": {"name": "Ines Ortega", "groups": ["Security Admins"]},
}

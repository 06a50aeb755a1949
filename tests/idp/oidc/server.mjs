// A local OpenID Connect provider for the tests and the demo: panva's oidc-provider with its
// development sign-in pages (any e-mail signs in; the password is not checked). Accounts'
// names and groups come from ACCOUNTS (JSON: {"email": {"name": "...", "groups": [...]}}).
// Usage: PORT=9400 CLIENTS='[{"client_id":"..","client_secret":".."}]' node server.mjs
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 9400);
const host = process.env.HOST || "127.0.0.1";
const issuer = process.env.ISSUER || `http://${host}:${port}`;
const clients = JSON.parse(process.env.CLIENTS || "[]");
const accounts = JSON.parse(process.env.ACCOUNTS || "{}");

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
    redirect_uris: ["http://localhost/unused"],
    ...client,
  })),
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name", "groups"],
  },
  scopes: ["openid", "email", "profile"],
  conformIdTokenClaims: false,
  cookies: { keys: ["local-test-idp-only"] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    const email = String(id).toLowerCase();
    const known = accounts[email] || {};
    const name = known.name || email.split("@")[0];
    return {
      accountId: email,
      async claims() {
        return {
          sub: email,
          email,
          email_verified: true,
          name,
          given_name: name.split(" ")[0],
          family_name: name.split(" ").slice(1).join(" "),
          groups: known.groups || [],
        };
      },
    };
  },
});
// Workspace hosts and ports differ per test run: any http(s) redirect to a *.localhost host
// (or the loopback) is allowed for this local IdP; a real IdP checks each one.
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  try {
    const { hostname } = new URL(uri);
    return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "127.0.0.1";
  } catch {
    return false;
  }
};
provider.listen(port, host, () => console.log(`oidc-provider listening on ${issuer}`));

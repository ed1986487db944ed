// The tests' OpenID provider: npm's oidc-provider on 127.0.0.1 and a port of its own, started
// by the sign-in tests (tests/src/oidc.rs). It knows a native client with PKCE required (the
// desktop app and `outreach login`), people whose `groups` claim the test gives, and RSA keys
// the test can rotate. On start it writes its public JWKS to OIDC_JWKS_OUT and prints one
// line, `issuer <url>`, then serves until it is killed.
//
//   OIDC_ACCOUNTS   JSON: {"alice": ["outreach-admins"], "vera": ["wellness-viewers"]}
//   OIDC_KEYS       JSON: private JWKs (RS256), the first signs; made here when absent
//   OIDC_JWKS_OUT   where to write the public JWKS
//   OIDC_CLIENT_ID  the native client's id (default outreach-desktop)
//   OIDC_TTL        ID and access token lifetime in seconds (default 300)
//   OIDC_SERVICE    JSON: {"client_id": …, "client_secret": …, "groups": […]}: a confidential
//                   client for scheduled reports (client credentials), whose access tokens
//                   are RS256 JWTs (RFC 9068) for the resource urn:outreach-dashboard that
//                   carry its groups, as Okta's custom claims or Entra's app roles do
//   OIDC_PORT       the port to listen on (default: one the OS picks), to restart a provider
//                   under the same issuer with other keys
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

// oidc-provider 9 asks for Node 22 and warns on Node 20 (Debian's and this machine's), which
// runs it and its tests.
const { default: Provider } = await import('oidc-provider');

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');
const keys = process.env.OIDC_KEYS
  ? JSON.parse(process.env.OIDC_KEYS)
  : [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
       kid: 'provider-1', alg: 'RS256', use: 'sig' }];
const clientId = process.env.OIDC_CLIENT_ID ?? 'outreach-desktop';
const service = process.env.OIDC_SERVICE ? JSON.parse(process.env.OIDC_SERVICE) : undefined;
const RESOURCE = 'urn:outreach-dashboard';
const ttl = Number(process.env.OIDC_TTL ?? 300);

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    // Any port of the loopback address (RFC 8252 §7.3): oidc-provider ignores it for natives.
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  }, ...(service ? [{
    client_id: service.client_id,
    client_secret: service.client_secret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
  }] : [])],
  extraTokenClaims: async (ctx, token) => (service && token.kind === 'ClientCredentials'
    && token.clientId === service.client_id ? { groups: service.groups } : undefined),
  pkce: { required: () => true },
  claims: { openid: ['sub'], groups: ['groups'] },
  // The groups claim in the ID token itself, as Okta and Entra send it.
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'groups'],
  findAccount: async (ctx, sub) => (Object.hasOwn(accounts, sub)
    ? { accountId: sub, async claims() { return { sub, groups: accounts[sub] }; } }
    : undefined),
  jwks: { keys },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf ?? (client.clientId === service?.client_id ? RESOURCE : undefined),
      useGrantedResource: async () => false,
      getResourceServerInfo: async (ctx, resource) => {
        if (resource !== RESOURCE) throw new Error(`unknown resource ${resource}`);
        return { scope: 'reports', audience: RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: ttl,
                 jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  ttl: { AccessToken: ttl, IdToken: ttl, RefreshToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
});
provider.on('server_error', (ctx, err) => console.error('provider error:', err));
server.on('request', provider.callback());

const publicJwks = { keys: keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use })) };
if (process.env.OIDC_JWKS_OUT) writeFileSync(process.env.OIDC_JWKS_OUT, JSON.stringify(publicJwks));
console.log(`issuer ${issuer}`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

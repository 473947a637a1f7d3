// A real OpenID Connect provider (panva's oidc-provider) for the single sign-on browser test.
//
// One confidential client (the portal), PKCE required for it, the library's own login and consent
// pages (devInteractions: any password is taken, the login names the account), and four accounts:
// one whose verified e-mail belongs to a portal user, one whose verified e-mail belongs to nobody,
// one with the portal user's e-mail but not verified, and one with no e-mail at all. Every event the test looks at is printed
// as one JSON line on stdout. Configured from the environment:
//   PORT           the port to listen on (127.0.0.1)
//   REDIRECT_URI   the portal's callback, e.g. http://localhost:8261/konto/oidc/test-idp/login/callback/
//   CLIENT_ID, CLIENT_SECRET
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 8260);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  kari: { email: 'kari.nordmann@example.org', email_verified: true, name: 'Kari Nordmann' },
  ukjent: { email: 'ukjent.person@example.org', email_verified: true, name: 'Ukjent Person' },
  uverifisert: { email: 'kari.nordmann@example.org', email_verified: false, name: 'Uverifisert' },
  // Like ID-porten: a national identity, no e-mail at all.
  idporten: { name: 'Kari Nordmann (ID-porten)' },
};

function log(event, fields = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID || 'helsefellesskap',
      client_secret: process.env.CLIENT_SECRET || 'test-secret',
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // Every authorization request must carry a code_challenge (S256), confidential client or not.
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
};

const provider = new Provider(issuer, configuration);

provider.on('authorization_code.saved', (code) => {
  log('authorization_code.saved', {
    account: code.accountId,
    code_challenge: Boolean(code.codeChallenge),
    code_challenge_method: code.codeChallengeMethod || null,
  });
});
provider.on('authorization.error', (ctx, error) => {
  log('authorization.error', { error: error.error, description: error.error_description });
});
provider.on('grant.success', (ctx) => log('grant.success', { client: ctx.oidc.client.clientId }));
provider.on('grant.error', (ctx, error) => {
  log('grant.error', { error: error.error, description: error.error_description });
});
provider.on('server_error', (ctx, error) => log('server_error', { message: String(error) }));

provider.listen(port, '127.0.0.1', () => log('listening', { issuer }));

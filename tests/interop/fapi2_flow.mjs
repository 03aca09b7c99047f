// A FAPI 2.0 flow driven by oauth4webapi (panva's certified client library) against a live
// tsp-auth: PAR with private_key_jwt, authorize with request_uri, the seller's consent through
// the JSON API, code exchange with DPoP, refresh, introspection, revocation. Prints what it saw
// as JSON; tests/interop/test_oauth4webapi.py checks it. Input: the FLOW environment variable.
import * as oauth from 'oauth4webapi'

const flow = JSON.parse(process.env.FLOW)
const insecure = { [oauth.allowInsecureRequests]: true } // the test server is http on 127.0.0.1
const issuer = new URL(flow.issuer)
const as = await oauth.processDiscoveryResponse(
  issuer,
  await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
)
const client = { client_id: flow.client_id }
const signingKey = await crypto.subtle.importKey(
  'jwk', flow.client_jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'],
)
const clientAuth = oauth.PrivateKeyJwt({ key: signingKey, kid: flow.client_jwk.kid })
const dpopKeys = await oauth.generateKeyPair(flow.dpop_alg, { extractable: true })
const DPoP = oauth.DPoP(client, dpopKeys)

// RFC 9449 §8: the first DPoP request learns the server's nonce; the handle keeps it.
async function withNonce(call) {
  try {
    return await call()
  } catch (err) {
    if (oauth.isDPoPNonceError(err)) return await call()
    throw err
  }
}

const codeVerifier = oauth.generateRandomCodeVerifier()
const state = oauth.generateRandomState()
const pushed = await oauth.processPushedAuthorizationResponse(
  as,
  client,
  await oauth.pushedAuthorizationRequest(as, client, clientAuth, new URLSearchParams({
    response_type: 'code',
    redirect_uri: flow.redirect_uri,
    scope: flow.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }), insecure),
)

const authorize = new URL(as.authorization_endpoint)
authorize.searchParams.set('client_id', client.client_id)
authorize.searchParams.set('request_uri', pushed.request_uri)
const followed = await fetch(authorize, { redirect: 'manual' })
const consentPath = followed.headers.get('location')
const requestId = consentPath.split('/').pop()
const accepted = await fetch(new URL(`/v1/authorization-requests/${requestId}/accept`, issuer), {
  method: 'POST',
  headers: { authorization: flow.seller_authorization, 'content-type': 'application/json' },
  body: JSON.stringify(flow.decision),
})
const { redirect_to: callback } = await accepted.json()
const callbackParams = oauth.validateAuthResponse(as, client, new URL(callback), state)

const tokens = await withNonce(async () => oauth.processAuthorizationCodeResponse(
  as,
  client,
  await oauth.authorizationCodeGrantRequest(
    as, client, clientAuth, callbackParams, flow.redirect_uri, codeVerifier, { DPoP, ...insecure },
  ),
))
const refreshed = await withNonce(async () => oauth.processRefreshTokenResponse(
  as,
  client,
  await oauth.refreshTokenGrantRequest(
    as, client, clientAuth, tokens.refresh_token, { DPoP, ...insecure },
  ),
))
const introspected = await oauth.processIntrospectionResponse(
  as, client, await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, insecure),
)
await oauth.processRevocationResponse(
  await oauth.revocationRequest(as, client, clientAuth, refreshed.refresh_token, insecure),
)
const afterRevocation = await oauth.processIntrospectionResponse(
  as, client, await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, insecure),
)

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())
console.log(JSON.stringify({
  par_expires_in: pushed.expires_in,
  consent_path: consentPath,
  token_type: tokens.token_type,
  access_claims: claims(tokens.access_token),
  refreshed_token_type: refreshed.token_type,
  refreshed_claims: claims(refreshed.access_token),
  dpop_public_jwk: await crypto.subtle.exportKey('jwk', dpopKeys.publicKey),
  introspection: introspected,
  after_revocation: afterRevocation,
}))

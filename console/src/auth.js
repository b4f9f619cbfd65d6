// Sign-in: the OIDC authorization-code flow with PKCE against the platform's identity provider (oidc-client-ts).
import { UserManager, WebStorageStateStore } from 'oidc-client-ts'
import { config } from './config.js'

let manager

async function users() {
  if (manager) return manager
  const c = await config()
  manager = new UserManager({
    authority: c.authority,
    client_id: c.client_id,
    redirect_uri: `${location.origin}/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    scope: 'openid profile',
    // Kept across reloads and offline: the field mode sends its queue with it when the network returns.
    userStore: new WebStorageStateStore({ store: localStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  })
  return manager
}

export async function currentUser() {
  const m = await users()
  const user = await m.getUser()
  return user && !user.expired ? user : null
}

// The token the API's authorizer verifies (issuer, audience, signature): the ID token names the app client in `aud`.
export async function token() {
  const user = await currentUser()
  return user?.id_token ?? null
}

export async function signIn(returnTo = location.pathname + location.search) {
  const m = await users()
  await m.signinRedirect({ state: { returnTo } })
}

export async function completeSignIn() {
  const m = await users()
  const user = await m.signinRedirectCallback()
  return user.state?.returnTo || '/'
}

export async function signOut() {
  const m = await users()
  await m.removeUser()
}

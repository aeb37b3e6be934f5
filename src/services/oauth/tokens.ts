/**
 * The token endpoint's grants and revocation (RFC 6749 §4.1.3, §6; RFC 7009; oauth.md "Tokens
 * and Session Lifetime").
 * - authorization_code: the code is single use (a second use revokes the session it created);
 *   PKCE verifier, redirect_uri, client authentication and the DPoP key must all match the
 *   pushed request.
 * - refresh_token: single use and rotated; replaying a used one revokes the session. The DPoP
 *   key and client authentication must be those of the session. Permission sets are compiled
 *   again, so a refreshed token follows an updated set (keeping the old grant if resolution
 *   fails). Refresh tokens live REFRESH_LIFETIME (inactivity), sessions SESSION_LIFETIME
 *   (hard bound), longer for confidential clients, as in the reference server.
 * Codes and refresh tokens are random and stored as SHA-256 hashes.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { AuthorizationParams } from '../../core/oauth/authorization-request.ts'
import { OAuthError } from '../../core/oauth/errors.ts'
import { verifyPkce } from '../../core/oauth/pkce.ts'
import type { OAuthTables, TokenRow } from '../../storage/oauth/index.ts'
import type { AccessTokens } from './access-tokens.ts'
import { type ClientAuth, ClientAuthenticator } from './client-auth.ts'
import type { OAuthClient } from './clients.ts'
import type { ScopeCompiler } from './scopes.ts'

const DAY_MS = 24 * 3_600_000
export const SESSION_LIFETIME_MS = { public: 7 * DAY_MS, confidential: 365 * DAY_MS }
export const REFRESH_LIFETIME_MS = { public: 2 * DAY_MS, confidential: 30 * DAY_MS }

export interface TokenResponse {
  access_token: string
  token_type: 'DPoP'
  expires_in: number
  refresh_token?: string
  scope: string
  sub: string
}

export interface GrantContext {
  client: OAuthClient
  clientAuth: ClientAuth
  /** Thumbprint of the key that signed this request's DPoP proof. */
  dpopJkt: string
}

export class TokenGrants {
  constructor(
    private readonly tables: OAuthTables,
    private readonly access: AccessTokens,
    private readonly scopes: ScopeCompiler,
    private readonly now: () => number = Date.now,
  ) {}

  async exchangeCode(
    ctx: GrantContext,
    code: string,
    verifier: string,
    redirectUri: string | null,
  ): Promise<TokenResponse> {
    const codeHash = sha256(code)
    const row = this.tables.requests.byCodeHash(codeHash)
    if (row === undefined) throw this.unknownCode(codeHash)
    const params = JSON.parse(row.parameters) as AuthorizationParams
    const now = this.now()
    if (Date.parse(row.expiresAt) <= now) throw invalidGrant('the code has expired')
    if (row.clientId !== ctx.client.clientId) throw invalidGrant('the code was issued to another client')
    if (redirectUri !== null && redirectUri !== params.redirectUri)
      throw invalidGrant('redirect_uri does not match')
    if (!verifyPkce(verifier, params.codeChallenge))
      throw invalidGrant('the PKCE code_verifier does not match')
    if (ctx.dpopJkt !== row.dpopJkt)
      throw invalidGrant('the DPoP key is not the one the request was made with')
    ClientAuthenticator.assertSame(JSON.parse(row.clientAuth), ctx.clientAuth)
    if (row.did === null || row.grantedScope === null) throw invalidGrant('the code was not approved')
    const refresh = newSecret('ref-')
    const token = this.newSession(
      ctx,
      { did: row.did, scope: params.scope, permissions: row.grantedScope },
      now,
    )
    this.tables.db.transaction(() => {
      if (!this.tables.requests.deleteWithCode(row.id, codeHash))
        throw invalidGrant('the code was already used')
      this.tables.tokens.deleteExpired(iso(now))
      this.tables.tokens.insert({ ...token, codeHash, refreshHash: sha256(refresh) })
    })
    return this.respond(ctx.client, token, refresh, now)
  }

  async refresh(ctx: GrantContext, refreshToken: string): Promise<TokenResponse> {
    const hash = sha256(refreshToken)
    const row = this.tables.tokens.byRefreshHash(hash)
    if (row === undefined) throw this.unknownRefreshToken(hash)
    if (row.clientId !== ctx.client.clientId)
      throw invalidGrant('the refresh token was issued to another client')
    if (!ctx.client.metadata.grant_types.includes('refresh_token')) {
      throw new OAuthError('unauthorized_client', 'the client did not register the refresh_token grant')
    }
    if (ctx.dpopJkt !== row.dpopJkt) throw invalidGrant('the DPoP key is not the one the session is bound to')
    ClientAuthenticator.assertSame(JSON.parse(row.clientAuth), ctx.clientAuth)
    const now = this.now()
    const live = this.tables.tokens.live(row.id, new Date(now).toISOString())
    if (live === undefined || live.takedownRef !== null) {
      this.tables.tokens.delete(row.id)
      throw invalidGrant('the session has ended')
    }
    const permissions = await this.scopes.compile(row.scope).then(
      (compiled) => compiled.permissions,
      () => row.permissions,
    )
    const next = newSecret('ref-')
    const refreshExpiresAt = this.refreshExpiry(ctx.client, now, Date.parse(row.expiresAt))
    const rotated = this.tables.db.transaction(() =>
      this.tables.tokens.rotate(row.id, hash, {
        hash: sha256(next),
        permissions,
        at: iso(now),
        refreshExpiresAt,
        forgetUsedBefore: iso(now - REFRESH_LIFETIME_MS[ctx.client.confidential ? 'confidential' : 'public']),
      }),
    )
    if (!rotated) throw invalidGrant('the refresh token was already used')
    return this.respond(ctx.client, row, next, now)
  }

  /** Ends the session of an access or refresh token; unknown tokens are fine (RFC 7009 §2.2). */
  async revoke(token: string, clientId: string | null): Promise<void> {
    const session = await this.access.sessionOf(token)
    if (session !== undefined) {
      if (clientId === null || session.clientId === clientId) this.tables.tokens.delete(session.sid)
      return
    }
    const hash = sha256(token)
    const row = this.tables.tokens.byRefreshHash(hash)
    const id = row?.id ?? this.tables.tokens.idByUsedRefreshHash(hash)
    if (id !== undefined && (clientId === null || row === undefined || row.clientId === clientId)) {
      this.tables.tokens.delete(id)
    }
  }

  private newSession(
    ctx: GrantContext,
    grant: { did: string; scope: string; permissions: string },
    now: number,
  ) {
    const kind = ctx.client.confidential ? 'confidential' : 'public'
    const expiresAt = now + SESSION_LIFETIME_MS[kind]
    return {
      id: newSecret('tok-', 16),
      did: grant.did,
      clientId: ctx.client.clientId,
      clientAuth: JSON.stringify(ctx.clientAuth),
      dpopJkt: ctx.dpopJkt,
      scope: grant.scope,
      permissions: grant.permissions,
      createdAt: iso(now),
      updatedAt: iso(now),
      expiresAt: iso(expiresAt),
      refreshExpiresAt: this.refreshExpiry(ctx.client, now, expiresAt),
    }
  }

  private refreshExpiry(client: OAuthClient, now: number, sessionEnd: number): string {
    return iso(
      Math.min(now + REFRESH_LIFETIME_MS[client.confidential ? 'confidential' : 'public'], sessionEnd),
    )
  }

  private async respond(
    client: OAuthClient,
    row: Pick<TokenRow, 'id' | 'did' | 'clientId' | 'dpopJkt' | 'scope'>,
    refresh: string,
    now: number,
  ): Promise<TokenResponse> {
    const claims = { sid: row.id, did: row.did, clientId: row.clientId, jkt: row.dpopJkt, scope: row.scope }
    const response: TokenResponse = {
      access_token: await this.access.sign(claims, now),
      token_type: 'DPoP',
      expires_in: this.access.lifetimeSeconds,
      scope: row.scope,
      sub: row.did,
    }
    if (client.metadata.grant_types.includes('refresh_token')) response.refresh_token = refresh
    return response
  }

  /** A code nobody holds a request for: reused (revoke what it produced) or made up. */
  private unknownCode(codeHash: string): OAuthError {
    const reused = this.tables.tokens.idByCodeHash(codeHash)
    if (reused === undefined) return invalidGrant('unknown code')
    this.tables.tokens.delete(reused)
    return invalidGrant('the code was already used; the session it created is revoked')
  }

  private unknownRefreshToken(hash: string): OAuthError {
    const used = this.tables.tokens.idByUsedRefreshHash(hash)
    if (used === undefined) return invalidGrant('unknown refresh token')
    this.tables.tokens.delete(used)
    return invalidGrant('the refresh token was already used; the session is revoked')
  }
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description)
}

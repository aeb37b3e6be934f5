/**
 * The browser side of the authorization and account pages: cookies, CSRF protection, form
 * bodies and HTML responses.
 * - CSRF: a double-submit token. A random value lives in an HttpOnly SameSite=Lax cookie and in
 *   a hidden field of every form; a POST must carry both, equal. Browsers that send
 *   Sec-Fetch-Site or Origin must also say the form came from this origin.
 * - Cookies are Secure when the client reached us over https (directly or through the proxy).
 * - Pages forbid framing, inline scripts and styles, and cross-origin referrers (the URL holds
 *   request ids).
 *   No form-action directive: browsers apply it to the redirect after a form, and the consent
 *   form's answer redirects to the app.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../config/schema.ts'
import { InvalidRequestError, UnsupportedMediaTypeError } from '../../services/errors.ts'
import type { ClientInfo } from '../client-info.ts'
import { readBytes } from '../xrpc/body.ts'

export const SESSION_COOKIE = 'perlsky_session'
export const CSRF_COOKIE = 'perlsky_csrf'
const FORM_LIMIT = 16 * 1024
const CSRF_MAX_AGE_SECONDS = 24 * 3600

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: browsers then send `Origin: null` with the page's own forms.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
}

/** What the sign-in and account pages show of this server. */
export interface PageSite {
  readonly host: string
  /** A handle to show as an example: alice.<service handle domain>. */
  readonly exampleHandle: string
}

export function pageSite(config: Config): PageSite {
  return { host: config.hostname, exampleHandle: `alice.${config.service_handle_domain}` }
}

export interface WebRequest {
  request: Request
  client: ClientInfo
}

/** The page's CSRF token: the browser's, or a new one to be set with `cookies`. */
export class WebState {
  readonly csrf: string
  readonly cookies: string[] = []

  constructor(readonly web: WebRequest) {
    const existing = cookieValue(web.request, CSRF_COOKIE)
    this.csrf =
      existing !== undefined && existing.length >= 32 ? existing : randomBytes(24).toString('base64url')
    if (this.csrf !== existing) this.setCookie(CSRF_COOKIE, this.csrf, CSRF_MAX_AGE_SECONDS)
  }

  get session(): string | undefined {
    return cookieValue(this.web.request, SESSION_COOKIE)
  }

  setCookie(name: string, value: string, maxAgeSeconds: number): void {
    const secure = this.web.client.proto === 'https' ? '; Secure' : ''
    this.cookies.push(`${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`)
  }

  /** True when a POSTed form carries this browser's CSRF token and comes from our origin. */
  csrfValid(form: URLSearchParams): boolean {
    const headers = this.web.request.headers
    const site = headers.get('sec-fetch-site')
    if (site !== null && site !== 'same-origin' && site !== 'none') return false
    const origin = headers.get('origin')
    if (origin !== null && origin !== `${this.web.client.proto}://${this.web.client.host}`) return false
    const sent = cookieValue(this.web.request, CSRF_COOKIE)
    const field = form.get('csrf')
    if (sent === undefined || field === null || sent.length !== field.length) return false
    return timingSafeEqual(Buffer.from(sent), Buffer.from(field))
  }

  html(body: string, status = 200): Response {
    const headers = new Headers(PAGE_HEADERS)
    for (const c of this.cookies) headers.append('Set-Cookie', c)
    return new Response(body, { status, headers })
  }

  /** 303: after a POST, the browser follows with a GET. */
  redirect(location: string): Response {
    const headers = new Headers({
      Location: location,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    })
    for (const c of this.cookies) headers.append('Set-Cookie', c)
    return new Response(null, { status: 303, headers })
  }
}

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie')
  if (header === null) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** An application/x-www-form-urlencoded body (OAuth endpoints and the pages' forms). */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    throw new UnsupportedMediaTypeError('expected an application/x-www-form-urlencoded body')
  }
  const bytes = await readBytes(request, FORM_LIMIT)
  try {
    return new URLSearchParams(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new InvalidRequestError('the form body is not UTF-8')
  }
}

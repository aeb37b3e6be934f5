/**
 * The sign-in form: handle or email, and the account password. The same form serves the
 * authorization flow (posting to /oauth/authorize) and the account page (posting to /account).
 */
import { html } from './html.ts'
import { errorBox, hiddenFields, page } from './layout.ts'

export interface LoginPageOptions {
  host: string
  /** Where the form posts. */
  action: string
  /** What signing in is for ("to continue to …"). */
  purpose: string
  /** A handle to show as an example (alice.<service handle domain>). */
  exampleHandle: string
  identifier?: string
  problem?: string
  /** Hidden fields: request_uri, client_id, csrf, … */
  fields: Record<string, string | undefined>
}

export function loginPage(opts: LoginPageOptions): string {
  const invalid = opts.problem ? 'true' : 'false'
  const describedBy = (hint: string) => (opts.problem ? `form-error ${hint}` : hint)
  return page({
    title: 'Sign in',
    host: opts.host,
    body: html`<h1>Sign in</h1>
<p>${opts.purpose}</p>
${errorBox(opts.problem)}
<form method="post" action="${opts.action}">
${hiddenFields({ ...opts.fields, action: 'login' })}
<div class="field">
<label for="identifier">Handle or email</label>
<input id="identifier" name="identifier" type="text" required autofocus autocomplete="username"
 autocapitalize="none" spellcheck="false" value="${opts.identifier ?? ''}" aria-invalid="${invalid}"
 aria-describedby="${describedBy('identifier-hint')}">
<span class="hint" id="identifier-hint">For example ${opts.exampleHandle} or alice@example.com</span>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="current-password"
 aria-invalid="${invalid}" aria-describedby="${describedBy('password-hint')}">
<span class="hint" id="password-hint">Your account password. App passwords are not accepted here.</span>
</div>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`,
  })
}

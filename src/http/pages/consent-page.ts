/**
 * The approval prompt (oauth.md "Authorization Interface"): which app, which account, and in
 * plain words what each requested permission allows. The app is named by its client_id host
 * and full URL; the name it gives itself is shown as unverified (spec: "Security
 * Considerations"). Permission sets show their title and detail, with the concrete permissions
 * in a <details> element that works without JavaScript.
 */
import type { CompiledPermissionSet, Permission } from '../../core/permissions/index.ts'
import { describePermission, formatPermission } from '../../core/permissions/index.ts'
import { type Html, html } from './html.ts'
import { hiddenFields, page } from './layout.ts'

export interface ConsentPageOptions {
  host: string
  client: { clientId: string; name: string | undefined; loopback: boolean }
  handle: string
  direct: readonly Permission[]
  sets: readonly CompiledPermissionSet[]
  fields: Record<string, string | undefined>
}

export function consentPage(opts: ConsentPageOptions): string {
  const app = clientLabel(opts.client)
  return page({
    title: `Allow ${app}?`,
    host: opts.host,
    body: html`<h1>Allow <span class="client">${app}</span> to use your account?</h1>
<div class="account">
<span>Signed in as <strong>@${opts.handle}</strong></span>
<form method="post" action="/oauth/authorize">${hiddenFields({ ...opts.fields, action: 'switch' })}
<button type="submit" class="link">Use another account</button></form>
</div>
${clientDetails(opts.client)}
<h2 id="permissions-heading">This app will be able to:</h2>
<ul class="permissions" aria-labelledby="permissions-heading">
${opts.direct.map(permissionItem)}
${opts.sets.map(setItem)}
</ul>
<p class="muted">You can take this access back at any time on your <a href="/account">account page</a>.</p>
<form method="post" action="/oauth/authorize">
${hiddenFields(opts.fields)}
<div class="actions">
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny" class="secondary">Deny</button>
</div>
</form>`,
  })
}

/** How the app is named on the page: its host (never a name it chose itself). */
export function clientLabel(client: { clientId: string; loopback: boolean }): string {
  if (client.loopback) return 'a development app on this computer'
  return new URL(client.clientId).hostname
}

function clientDetails(client: ConsentPageOptions['client']): Html {
  // The loopback client's name is our own placeholder, not something the app said.
  const name =
    client.name && !client.loopback
      ? html` It calls itself <q>${client.name}</q>; this name is not verified.`
      : null
  const loopback = client.loopback
    ? html` Only allow this if you are developing or testing an app yourself.`
    : null
  return html`<p class="muted">The app is identified by <span class="url">${client.clientId}</span>.${name}${loopback}</p>`
}

function permissionItem(p: Permission): Html {
  return html`<li><strong>${sentence(describePermission(p))}</strong><code>${formatPermission(p)}</code></li>`
}

function setItem(set: CompiledPermissionSet): Html {
  const items = set.permissions.map(
    (p) => html`<li>${sentence(describePermission(p))} <code>${formatPermission(p)}</code></li>`,
  )
  return html`<li><strong>${set.title ?? set.nsid}</strong>
${set.detail ? html`<span>${set.detail}</span>` : null}
<details><summary>What this includes</summary>
<ul>${items.length > 0 ? items : html`<li>Nothing this server understands yet.</li>`}</ul>
<code>include:${set.nsid}</code>
</details></li>`
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + '.'
}

/** A page that only explains something (an expired request, a refused form). */
import { html } from './html.ts'
import { page } from './layout.ts'

export function messagePage(host: string, title: string, message: string): string {
  return page({
    title,
    host,
    body: html`<h1>${title}</h1>
<p>${message}</p>
<p class="muted">You can close this window.</p>`,
  })
}

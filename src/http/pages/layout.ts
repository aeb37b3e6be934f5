/** The page shell of the authorization and account pages. */
import { type Html, html } from './html.ts'

export const STYLESHEET_PATH = '/oauth/assets/style.css'

export interface PageOptions {
  title: string
  /** The server's host name, shown above the card. */
  host: string
  body: Html
}

export function page(opts: PageOptions): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${opts.title} · ${opts.host}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">${opts.host}</header>
<main id="main"><div class="card">
${opts.body}
</div></main>
</body>
</html>
`}`
}

/** Hidden inputs carrying the request a form belongs to and its CSRF token. */
export function hiddenFields(fields: Record<string, string | undefined>): Html {
  return html`${Object.entries(fields).map(([name, value]) =>
    value === undefined ? null : html`<input type="hidden" name="${name}" value="${value}">`,
  )}`
}

export function errorBox(message: string | undefined): Html | null {
  return message ? html`<div class="error" role="alert" id="form-error">${message}</div>` : null
}

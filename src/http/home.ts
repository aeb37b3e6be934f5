/** The plain-text pages at / and /robots.txt. */
import { VERSION } from '../lib/version.ts'

const BANNER = `perlsky ${VERSION}

This is an AT Protocol Personal Data Server (PDS): it hosts accounts, their repositories and
blobs, and speaks XRPC under /xrpc/. Use it through an atproto app such as https://bsky.app.

AT Protocol: https://atproto.com
`

const ROBOTS = `# Hello friends!
User-agent: *
Allow: /
`

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' }

export function homeResponse(): Response {
  return new Response(BANNER, { headers: TEXT })
}

export function robotsResponse(): Response {
  return new Response(ROBOTS, { headers: TEXT })
}

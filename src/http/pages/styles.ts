/**
 * The one stylesheet of the server-rendered pages (served at /oauth/assets/style.css so the
 * Content-Security-Policy can forbid inline styles). Plain CSS: system fonts, a single card,
 * visible keyboard focus, AA contrast in light and dark schemes, no JavaScript anywhere.
 */
export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #f3f5f8; --card: #ffffff; --text: #15191e; --muted: #4d5968; --border: #d3dae3;
  --accent: #0a5bd3; --accent-text: #ffffff; --accent-hover: #0847a6;
  --danger: #b3261e; --danger-bg: #fdecea; --focus: #f5a300; --code-bg: #eef1f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --card: #182029; --text: #e6ebf0; --muted: #a3b0be; --border: #33404d;
    --accent: #4c9bff; --accent-text: #071222; --accent-hover: #7db6ff;
    --danger: #ff8a80; --danger-bg: #3a1d1b; --focus: #ffc94d; --code-bg: #222c37;
  }
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center;
  background: var(--bg); color: var(--text);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; z-index: 1; }
header.site { width: 100%; max-width: 34rem; padding: 1.5rem 1rem .5rem; color: var(--muted); font-size: .9rem; }
main { width: 100%; max-width: 34rem; padding: 0 1rem 2rem; }
.card {
  background: var(--card); border: 1px solid var(--border); border-radius: .75rem;
  padding: 1.75rem 1.5rem; box-shadow: 0 1px 3px rgba(0, 0, 0, .08);
}
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); font-size: .925rem; }
.client { font-weight: 600; overflow-wrap: anywhere; }
.url { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem;
  background: var(--code-bg); padding: .1rem .3rem; border-radius: .25rem; overflow-wrap: anywhere; }
form { margin: 0; }
.field { margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-bottom: .35rem; }
input[type="text"], input[type="password"], input[type="email"] {
  width: 100%; padding: .65rem .75rem; font: inherit; color: var(--text); background: var(--card);
  border: 1px solid var(--muted); border-radius: .5rem;
}
.hint { display: block; color: var(--muted); font-size: .875rem; margin-top: .3rem; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; margin-top: 1.5rem; }
button {
  font: inherit; font-weight: 600; padding: .65rem 1.25rem; border-radius: .5rem; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text);
}
button:hover { background: var(--accent-hover); border-color: var(--accent-hover); }
button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
button.secondary:hover { border-color: var(--muted); }
button.link { background: none; border: none; color: var(--accent); padding: 0; font-weight: 400;
  text-decoration: underline; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.error { background: var(--danger-bg); color: var(--danger); border-left: 4px solid var(--danger);
  padding: .75rem 1rem; border-radius: .25rem; margin-bottom: 1rem; }
ul.permissions { list-style: none; padding: 0; margin: 0 0 1rem; border-top: 1px solid var(--border); }
ul.permissions > li { padding: .75rem 0; border-bottom: 1px solid var(--border); }
ul.permissions li strong { display: block; }
ul.permissions code, details code { font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
ul.permissions > li > code { display: block; margin-top: .15rem; }
details { margin-top: .35rem; }
details ul { margin: .35rem 0 0; padding-left: 1.25rem; }
summary { cursor: pointer; color: var(--accent); }
.account { display: flex; justify-content: space-between; align-items: center; gap: 1rem;
  padding: .75rem 1rem; background: var(--code-bg); border-radius: .5rem; margin-bottom: 1rem; }
ul.apps { list-style: none; padding: 0; margin: 0; }
ul.apps > li { padding: 1rem 0; border-bottom: 1px solid var(--border); }
ul.apps .actions { margin-top: .5rem; }
footer { color: var(--muted); font-size: .8rem; padding: 0 1rem 2rem; }
`

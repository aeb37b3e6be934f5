// Preloaded by bun test (bunfig.toml). Integration tests boot real servers in their hooks, and a
// hook's own default timeout (5 s) ignores bunfig's `timeout`: one limit for tests and hooks
// alike gives slow CI machines room everywhere.
import { setDefaultTimeout } from 'bun:test'

setDefaultTimeout(60_000)

/**
 * Client of a PLC directory (spec: https://web.plc.directory/spec/v0.1/did-plc "Directory
 * Server"): submit operations, read the last operation, the audit log and the document data.
 * Answers are shape-checked with core/plc; a refusal becomes a PlcError carrying the directory's
 * status and message (e.g. "Invalid Signature").
 */
import {
  type AnyPlcOperation,
  type PlcAuditEntry,
  type PlcDocumentData,
  PlcOperationError,
  parsePlcAuditLog,
  parsePlcDocumentData,
  parsePlcOperation,
} from '../../core/plc/index.ts'
import type { SafeFetch } from '../outbound/safe-fetch.ts'
import { PlcError } from './errors.ts'

const MAX_MESSAGE_LENGTH = 300
/** Audit logs grow with every operation; everything else is a single small object. */
const MAX_AUDIT_LOG_BYTES = 4 * 1024 * 1024
const MAX_OBJECT_BYTES = 256 * 1024

export class PlcClient {
  private readonly url: string

  constructor(
    plcUrl: string,
    private readonly fetch: SafeFetch,
    private readonly timeoutMs = 10_000,
  ) {
    this.url = plcUrl.replace(/\/+$/, '')
  }

  /** Submits a signed operation (genesis, update or tombstone) for `did`. */
  async sendOperation(did: string, op: AnyPlcOperation): Promise<void> {
    const res = await this.request(did, '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(op),
    })
    await res.body?.cancel()
  }

  async getLastOperation(did: string): Promise<AnyPlcOperation> {
    return this.getJson(did, '/log/last', parsePlcOperation, MAX_OBJECT_BYTES)
  }

  async getAuditLog(did: string): Promise<PlcAuditEntry[]> {
    return this.getJson(did, '/log/audit', parsePlcAuditLog, MAX_AUDIT_LOG_BYTES)
  }

  async getDocumentData(did: string): Promise<PlcDocumentData> {
    return this.getJson(did, '/data', parsePlcDocumentData, MAX_OBJECT_BYTES)
  }

  private async getJson<T>(
    did: string,
    path: string,
    parse: (v: unknown) => T,
    maxBytes: number,
  ): Promise<T> {
    const res = await this.request(did, path, { headers: { accept: 'application/json' }, maxBytes })
    try {
      return parse(await res.json())
    } catch (err) {
      const detail = err instanceof PlcOperationError ? err.message : errorMessage(err)
      throw new PlcError(`invalid answer from the PLC directory for ${did}${path}: ${detail}`, res.status, {
        cause: err,
      })
    }
  }

  /** Sends one request; any non-2xx answer or transport failure becomes a PlcError. */
  private async request(did: string, path: string, init: Parameters<SafeFetch>[1]): Promise<Response> {
    let res: Response
    try {
      res = await this.fetch(`${this.url}/${encodeURIComponent(did)}${path}`, {
        redirect: 'error',
        timeoutMs: this.timeoutMs,
        ...init,
      })
    } catch (err) {
      throw new PlcError(`PLC directory unreachable: ${errorMessage(err)}`, undefined, { cause: err })
    }
    if (res.ok) return res
    const message = await refusalMessage(res)
    throw new PlcError(`PLC directory refused (HTTP ${res.status}): ${message}`, res.status)
  }
}

/** The directory's `{"message": ...}` (or plain text), shortened; bodies that fail to read give the status text. */
async function refusalMessage(res: Response): Promise<string> {
  let text: string
  try {
    text = await res.text()
  } catch {
    return res.statusText || 'no message'
  }
  let message: unknown = text
  try {
    message = (JSON.parse(text) as { message?: unknown }).message ?? text
  } catch {
    // not JSON: keep the text
  }
  const s = typeof message === 'string' && message.length > 0 ? message : res.statusText || 'no message'
  return s.length > MAX_MESSAGE_LENGTH ? `${s.slice(0, MAX_MESSAGE_LENGTH)}…` : s
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

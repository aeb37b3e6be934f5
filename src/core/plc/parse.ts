/**
 * Shape checks for PLC operations and document data read from a directory (JSON from
 * `/log/last`, `/log/audit`, `/data`). Spec: did-plc "Operation Format".
 * Tricky bits: the object is returned as received, unknown fields included, because the CID of
 * an operation (the next operation's `prev`) is the hash of exactly what the directory stored.
 */
import {
  type AnyPlcOperation,
  type PlcAuditEntry,
  type PlcDocumentData,
  PlcOperationError,
  type PlcService,
} from './types.ts'

type Json = Record<string, unknown>

/** Checks the fields of a `plc_operation`, `plc_tombstone` or legacy `create` operation. */
export function parsePlcOperation(value: unknown): AnyPlcOperation {
  const op = object(value, 'operation')
  string(op.sig, 'sig')
  switch (op.type) {
    case 'plc_operation':
      stringArray(op.rotationKeys, 'rotationKeys')
      stringRecord(op.verificationMethods, 'verificationMethods')
      stringArray(op.alsoKnownAs, 'alsoKnownAs')
      services(op.services)
      if (op.prev !== null) string(op.prev, 'prev')
      return op as unknown as AnyPlcOperation
    case 'plc_tombstone':
      string(op.prev, 'prev')
      return op as unknown as AnyPlcOperation
    case 'create':
      for (const field of ['signingKey', 'recoveryKey', 'handle', 'service'] as const)
        string(op[field], field)
      if (op.prev !== null) throw new PlcOperationError('a legacy create operation must have a null prev')
      return op as unknown as AnyPlcOperation
    default:
      throw new PlcOperationError(`unknown operation type ${JSON.stringify(op.type)?.slice(0, 40)}`)
  }
}

export function parsePlcDocumentData(value: unknown): PlcDocumentData {
  const data = object(value, 'document data')
  string(data.did, 'did')
  stringArray(data.rotationKeys, 'rotationKeys')
  stringRecord(data.verificationMethods, 'verificationMethods')
  stringArray(data.alsoKnownAs, 'alsoKnownAs')
  services(data.services)
  return data as unknown as PlcDocumentData
}

export function parsePlcAuditLog(value: unknown): PlcAuditEntry[] {
  if (!Array.isArray(value)) throw new PlcOperationError('the audit log must be an array')
  return value.map((item) => {
    const entry = object(item, 'audit log entry')
    string(entry.did, 'did')
    string(entry.cid, 'cid')
    string(entry.createdAt, 'createdAt')
    if (typeof entry.nullified !== 'boolean') throw new PlcOperationError('nullified must be a boolean')
    parsePlcOperation(entry.operation)
    return entry as unknown as PlcAuditEntry
  })
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlcOperationError(`${what} must be an object`)
  }
  return value as Json
}

function string(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new PlcOperationError(`${field} must be a string`)
}

function stringArray(value: unknown, field: string): void {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new PlcOperationError(`${field} must be an array of strings`)
  }
}

function stringRecord(value: unknown, field: string): void {
  const record = object(value, field)
  for (const v of Object.values(record)) string(v, `${field} values`)
}

function services(value: unknown): asserts value is Record<string, PlcService> {
  const record = object(value, 'services')
  for (const service of Object.values(record)) {
    const s = object(service, 'a service')
    string(s.type, 'service type')
    string(s.endpoint, 'service endpoint')
  }
}

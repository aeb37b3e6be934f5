/**
 * did:plc operations (spec: https://web.plc.directory/spec/v0.1/did-plc): types, shape checks,
 * build/sign/verify/hash, DID derivation and the DID document an operation produces.
 */

export { docFromData, docFromOp, documentDataFromOp, type PlcDidDocument } from './document.ts'
export {
  buildGenesisOp,
  buildTombstone,
  buildUpdateOp,
  checkOperationFields,
  cidForOp,
  didForGenesisOp,
  type GenesisOpOptions,
  normalizeOp,
  type PlcOperationChanges,
  signOperation,
  verifyOperationSignature,
} from './operations.ts'
export { parsePlcAuditLog, parsePlcDocumentData, parsePlcOperation } from './parse.ts'
export * from './types.ts'

/**
 * Signing keypairs for the two atproto curves: repo signing keys, PLC rotation keys and
 * service-auth JWT keys. Spec: cryptography.
 * Signing is synchronous (a commit is signed inside one database transaction) and always produces
 * 64-byte compact low-S signatures over sha256(msg); see ecdsa.ts. A keypair given a NonceSource
 * signs with its prepared nonces while it has some, and deterministically otherwise.
 */
import { formatDidKey } from './did-key.ts'
import {
  checkPrivateKey,
  InvalidKeyError,
  type JwtAlg,
  publicKeyOf,
  randomPrivateKey,
  signMessage,
} from './ecdsa.ts'

export interface Keypair {
  readonly jwtAlg: JwtAlg
  /** `did:key:` form of the public key. */
  did(): string
  /** Compressed (33-byte) public key. */
  publicKeyBytes(): Uint8Array
  /** 64-byte compact low-S ECDSA signature over sha256(msg). */
  sign(msg: Uint8Array): Uint8Array
  /** The 32-byte private key (a copy). */
  exportPrivateKey(): Uint8Array
}

/** Prepared nonces (ecdsa.ts prepareNonce), each handed out once; undefined when none is ready. */
export interface NonceSource {
  take(): Uint8Array | undefined
}

class EcdsaKeypair implements Keypair {
  private readonly privateKey: Uint8Array
  // Derived on first use: it costs a scalar multiplication, and a keypair imported to sign one
  // commit never needs it.
  private publicKey: Uint8Array | undefined
  private didKey: string | undefined

  protected constructor(
    readonly jwtAlg: JwtAlg,
    privateKey: Uint8Array,
    private readonly nonces?: NonceSource,
  ) {
    this.privateKey = checkPrivateKey(jwtAlg, privateKey)
  }

  did(): string {
    this.didKey ??= formatDidKey(this.jwtAlg, this.publicKeyRef())
    return this.didKey
  }

  publicKeyBytes(): Uint8Array {
    return Uint8Array.from(this.publicKeyRef())
  }

  sign(msg: Uint8Array): Uint8Array {
    return signMessage(this.jwtAlg, this.privateKey, msg, this.nonces?.take())
  }

  exportPrivateKey(): Uint8Array {
    return Uint8Array.from(this.privateKey)
  }

  private publicKeyRef(): Uint8Array {
    this.publicKey ??= publicKeyOf(this.jwtAlg, this.privateKey)
    return this.publicKey
  }
}

/** secp256k1 ("k256"), JWT alg ES256K: the default for new atproto keys. */
export class Secp256k1Keypair extends EcdsaKeypair {
  static create(): Secp256k1Keypair {
    return new Secp256k1Keypair('ES256K', randomPrivateKey('ES256K'))
  }

  /** From 32 raw bytes or their hex encoding; `nonces` must hold K-256 nonces. */
  static import(privateKey: Uint8Array | string, nonces?: NonceSource): Secp256k1Keypair {
    return new Secp256k1Keypair('ES256K', privateKeyBytes(privateKey), nonces)
  }
}

/** NIST P-256 ("p256"), JWT alg ES256. */
export class P256Keypair extends EcdsaKeypair {
  static create(): P256Keypair {
    return new P256Keypair('ES256', randomPrivateKey('ES256'))
  }

  /** From 32 raw bytes or their hex encoding. */
  static import(privateKey: Uint8Array | string): P256Keypair {
    return new P256Keypair('ES256', privateKeyBytes(privateKey))
  }
}

/** Imports a private key for either curve. */
export function importKeypair(jwtAlg: JwtAlg, privateKey: Uint8Array | string): Keypair {
  return jwtAlg === 'ES256K' ? Secp256k1Keypair.import(privateKey) : P256Keypair.import(privateKey)
}

function privateKeyBytes(key: Uint8Array | string): Uint8Array {
  if (typeof key !== 'string') return key
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(key)) throw new InvalidKeyError('private key is not a hex string')
  return Uint8Array.fromHex(key)
}

/**
 * Secrets of the control plane: virtual keys (`lwk_…`) and admin tokens (`lwa_…`) are random, shown
 * once and stored as a SHA-256 hash; provider credentials are encrypted with AES-256-GCM under a key
 * derived (HKDF-SHA256) from `LEEWAY_SECRET_KEY`. The proxy uses the same functions to look a key up
 * and to decrypt the team's credential.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VIRTUAL_KEY_PREFIX = 'lwk_';
export const ADMIN_TOKEN_PREFIX = 'lwa_';
const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface IssuedSecret {
  /** The full secret: returned to the caller once, never stored. */
  readonly secret: string;
  /** The first characters, stored for display. */
  readonly prefix: string;
  /** Hex SHA-256 of the secret, stored and used for lookup. */
  readonly hash: string;
}

export class SecretError extends Error {
  constructor(
    readonly code: 'ADM_CREDENTIAL_UNREADABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretError';
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function issue(prefix: string): IssuedSecret {
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, prefix.length + 8), hash: hashSecret(secret) };
}

/** A new virtual key `lwk_` + 256 random bits. */
export function issueVirtualKey(): IssuedSecret {
  return issue(VIRTUAL_KEY_PREFIX);
}

/** A new admin API token `lwa_` + 256 random bits. */
export function issueAdminToken(): IssuedSecret {
  return issue(ADMIN_TOKEN_PREFIX);
}

/** Constant-time comparison of two secrets (via their hashes, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function credentialKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.from('leeway'), Buffer.from('provider-credentials/v1'), 32));
}

/** Envelope: version (1 byte) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext. The provider name is bound as AAD. */
export function encryptCredential(secretKey: string, provider: string, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', credentialKey(secretKey), iv);
  cipher.setAAD(Buffer.from(provider, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decryptCredential(secretKey: string, provider: string, envelope: Uint8Array): string {
  const buf = Buffer.from(envelope);
  if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== ENVELOPE_VERSION) {
    throw new SecretError('ADM_CREDENTIAL_UNREADABLE', 'unknown credential envelope');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', credentialKey(secretKey), buf.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(provider, 'utf8'));
    decipher.setAuthTag(buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new SecretError('ADM_CREDENTIAL_UNREADABLE', 'credential cannot be decrypted (wrong LEEWAY_SECRET_KEY?)', { cause });
  }
}

/** Last four characters, for display. */
export function keyHint(plaintext: string): string {
  return plaintext.length <= 8 ? '…' : `…${plaintext.slice(-4)}`;
}

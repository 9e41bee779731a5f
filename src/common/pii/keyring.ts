import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';

/**
 * Encryption at rest of resident ID numbers and bank account numbers (PIPL Art. 28/51).
 *
 * A stored value is one `bytea`: version byte 1, the key id (uint16, big-endian), a 12-byte nonce,
 * the AES-256-GCM ciphertext and its 16-byte tag; the first three bytes are the additional
 * authenticated data, so a value cannot be passed off under another key id. Lookups and the
 * uniqueness constraints use a blind index: HMAC-SHA-256 under a key of its own (never rotated with
 * the encryption keys), over the kind and the value, so an ID number and an account number that
 * happen to share digits never share an index.
 */
const VERSION = 1;
const HEADER = 3;
const NONCE = 12;
const TAG = 16;

export type PiiKind = 'id' | 'account';

export interface KeyMaterial {
  /** Encryption keys by id; the highest id encrypts, every one decrypts. */
  keys: Map<number, Buffer>;
  indexKey: Buffer;
}

/** The key file's shape (`PII_KEY_FILE`, or DATA_DIR/pii-keys.json when generated). */
interface KeyFile {
  keys: Record<string, string>;
  indexKey: string;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

function key32(text: string, what: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new KeyringError(`${what} must be 32 bytes, base64-encoded`);
  return key;
}

function keyId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1 || id > 65535) throw new KeyringError(`key id ${text} must be 1..65535`);
  return id;
}

/** `PII_KEYS=1:<base64>,2:<base64>` with `PII_INDEX_KEY=<base64>`. */
export function parseKeyList(list: string, indexKey: string): KeyMaterial {
  const keys = new Map<number, Buffer>();
  for (const entry of list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon < 1) throw new KeyringError('PII_KEYS entries look like <id>:<base64 key>');
    keys.set(keyId(entry.slice(0, colon)), key32(entry.slice(colon + 1), `PII_KEYS key ${entry.slice(0, colon)}`));
  }
  if (keys.size === 0) throw new KeyringError('PII_KEYS names no key');
  return { keys, indexKey: key32(indexKey, 'PII_INDEX_KEY') };
}

export function readKeyFile(path: string): KeyMaterial {
  const file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  const keys = new Map<number, Buffer>();
  for (const [id, key] of Object.entries(file.keys ?? {})) keys.set(keyId(id), key32(key, `key ${id} of ${path}`));
  if (keys.size === 0) throw new KeyringError(`${path} holds no key`);
  return { keys, indexKey: key32(file.indexKey, `indexKey of ${path}`) };
}

function writeKeyFile(path: string, material: KeyMaterial, flag: 'wx' | 'w'): void {
  const file: KeyFile = {
    keys: Object.fromEntries([...material.keys].map(([id, key]) => [String(id), key.toString('base64')])),
    indexKey: material.indexKey.toString('base64'),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag });
}

/** Where the keys come from: the environment (fixed for the process) or a key file (re-read on need). */
export interface KeySource {
  describe: string;
  load(): KeyMaterial;
  /** A file source can take a new key (`keys:rotate --new-key`); the environment cannot. */
  addKey?(): number;
}

/**
 * PII_KEYS (+ PII_INDEX_KEY) when set; else PII_KEY_FILE; else, outside production, DATA_DIR/pii-keys.json,
 * generated once with mode 0600. Production without either refuses to start.
 */
export function keySource(
  config: Pick<AppConfig, 'NODE_ENV' | 'DATA_DIR' | 'PII_KEYS' | 'PII_INDEX_KEY' | 'PII_KEY_FILE'>,
): KeySource {
  if (config.PII_KEYS) {
    if (!config.PII_INDEX_KEY) throw new KeyringError('PII_INDEX_KEY is required with PII_KEYS');
    const material = parseKeyList(config.PII_KEYS, config.PII_INDEX_KEY);
    return { describe: 'PII_KEYS', load: () => material };
  }
  if (!config.PII_KEY_FILE && config.NODE_ENV === 'production')
    throw new KeyringError('PII_KEYS (with PII_INDEX_KEY) or PII_KEY_FILE is required when NODE_ENV=production');
  const path = resolve(config.PII_KEY_FILE ?? join(config.DATA_DIR, 'pii-keys.json'));
  if (config.NODE_ENV !== 'production' && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeKeyFile(path, { keys: new Map([[1, randomBytes(32)]]), indexKey: randomBytes(32) }, 'wx');
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return {
    describe: path,
    load: () => readKeyFile(path),
    addKey() {
      const material = readKeyFile(path);
      const id = Math.max(...material.keys.keys()) + 1;
      material.keys.set(id, randomBytes(32));
      writeKeyFile(path, material, 'w');
      return id;
    },
  };
}

export class Keyring {
  private material: KeyMaterial;

  constructor(readonly source: KeySource) {
    this.material = source.load();
  }

  /** The id of the key that encrypts now (the highest). */
  get currentKeyId(): number {
    return Math.max(...this.material.keys.keys());
  }

  /** Reads the keys again (a key file another process added a key to). */
  reload(): void {
    this.material = this.source.load();
  }

  encrypt(plain: string): Buffer {
    const id = this.currentKeyId;
    const header = Buffer.from([VERSION, id >> 8, id & 0xff]);
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.material.keys.get(id)!, nonce);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
  }

  decrypt(blob: Buffer): string {
    if (blob.length < HEADER + NONCE + TAG || blob[0] !== VERSION) throw new KeyringError('not an encrypted value');
    const id = Keyring.keyIdOf(blob);
    if (!this.material.keys.has(id)) this.reload();
    const key = this.material.keys.get(id);
    if (!key) throw new KeyringError(`encryption key ${id} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(HEADER, HEADER + NONCE));
    decipher.setAAD(blob.subarray(0, HEADER));
    decipher.setAuthTag(blob.subarray(blob.length - TAG));
    return Buffer.concat([
      decipher.update(blob.subarray(HEADER + NONCE, blob.length - TAG)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** The keyed blind index of a value, for equality lookups and unique constraints. */
  blindIndex(kind: PiiKind, plain: string): Buffer {
    return createHmac('sha256', this.material.indexKey).update(`${kind}:${plain}`).digest();
  }

  static keyIdOf(blob: Buffer): number {
    return (blob[1] << 8) | blob[2];
  }
}

let installed: Keyring | undefined;

/** Makes `keyring` the process's keyring (boot, CLI, migrations); returns it. */
export function installKeyring(keyring: Keyring): Keyring {
  installed = keyring;
  return keyring;
}

/** The keyring of this process, from the settings in the environment unless one was installed. */
export function pii(): Keyring {
  installed ??= new Keyring(keySource(loadPiiSettings()));
  return installed;
}

function loadPiiSettings() {
  const env = process.env;
  return {
    NODE_ENV: (env.NODE_ENV ?? 'development') as AppConfig['NODE_ENV'],
    DATA_DIR: env.DATA_DIR || './.data',
    PII_KEYS: env.PII_KEYS || undefined,
    PII_INDEX_KEY: env.PII_INDEX_KEY || undefined,
    PII_KEY_FILE: env.PII_KEY_FILE || undefined,
  };
}

/** Decrypts a nullable stored value. */
export function openPii(blob: Buffer | null): string | null {
  return blob === null ? null : pii().decrypt(blob);
}

/**
 * Decrypts, in place, the named columns of rows a query returned (selected as the encrypted
 * `bytea` under the plaintext's name); nulls stay null. Returns the rows.
 */
export function openColumns<T extends object>(rows: T[], ...columns: (keyof T)[]): T[] {
  const keyring = pii();
  for (const row of rows) {
    for (const column of columns) {
      const value = row[column];
      if (Buffer.isBuffer(value)) (row as Record<keyof T, unknown>)[column] = keyring.decrypt(value);
    }
  }
  return rows;
}

/** A stored value as a query hands it back: a Buffer, or `\x...` hex inside JSON (json_agg). */
export type Sealed = Buffer | string;

/** The plaintext of a stored value; a string that is not `\x` hex is taken as plaintext already. */
export function openSealed(value: Sealed): string {
  if (Buffer.isBuffer(value)) return pii().decrypt(value);
  return value.startsWith('\\x') ? pii().decrypt(Buffer.from(value.slice(2), 'hex')) : value;
}

/**
 * Defines `target[key]` as the plaintext of `sealed`, decrypted on first read: snapshots carry ID
 * and account numbers this way, so the eligibility stream, which never reads them, never decrypts.
 */
export function definePii<T extends object>(target: T, key: string, sealed: Sealed): T {
  let plain: string | undefined;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => (plain ??= openSealed(sealed)),
    set: (value: string) => {
      plain = value;
    },
  });
  return target;
}

/** Copies `source[key]` onto `target` as it is (a lazily decrypted value stays undecrypted). */
export function copyPii<T extends object>(target: T, source: object, key: string): T {
  Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key)!);
  return target;
}

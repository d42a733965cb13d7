import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateMasterKey, MasterKeyring, parseMasterKey, UnknownMasterKeyError, type MasterKey } from './master-key.js';

export interface LoadedKeyring {
  keyring: MasterKeyring;
  /** Set when this call created the key file: start-up says so once. */
  generatedFile: string | null;
}

/**
 * The master key comes from TESSERA_MASTER_KEY (base64; several separated by
 * commas, the first one current) or from a key file, one base64 key per line,
 * first line current. Never from the database.
 */
export function loadMasterKeyring(options: { envValue: string | undefined; filePath: string; createIfMissing: boolean }): LoadedKeyring {
  if (options.envValue !== undefined && options.envValue.trim() !== '') {
    const keys = options.envValue.split(',').map((text, i) => parseMasterKey(text, `TESSERA_MASTER_KEY (entry ${i + 1})`));
    return { keyring: new MasterKeyring(keys[0]!, keys.slice(1)), generatedFile: null };
  }
  if (existsSync(options.filePath)) {
    const lines = readFileSync(options.filePath, 'utf8').split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) throw new Error(`${options.filePath} is empty: it must hold a base64 master key`);
    const keys = lines.map((line, i) => parseMasterKey(line, `${options.filePath} line ${i + 1}`));
    return { keyring: new MasterKeyring(keys[0]!, keys.slice(1)), generatedFile: null };
  }
  if (!options.createIfMissing) {
    throw new Error(`no master key: set TESSERA_MASTER_KEY or create ${options.filePath} (tessera start creates one)`);
  }
  const key = generateMasterKey();
  mkdirSync(dirname(options.filePath), { recursive: true });
  writeFileSync(options.filePath, key.key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(options.filePath, 0o600);
  return { keyring: new MasterKeyring(key), generatedFile: options.filePath };
}

/**
 * Opens sealed values; when one was sealed under a key this process does not
 * know yet (another process rotated the key file), re-reads the configuration
 * once and tries again.
 */
export function reloadingUnsealer(keyring: MasterKeyring, source: { envValue: string | undefined; filePath: string }): (sealed: string, associatedData: string) => Buffer {
  return (sealed, associatedData) => {
    try {
      return keyring.open(sealed, associatedData);
    } catch (error) {
      if (!(error instanceof UnknownMasterKeyError)) throw error;
      keyring.replaceWith(loadMasterKeyring({ ...source, createIfMissing: false }).keyring);
      return keyring.open(sealed, associatedData);
    }
  };
}

/** Replaces the key file atomically (write, then rename), first key current, mode 0600. */
export function writeMasterKeyFile(filePath: string, keys: readonly MasterKey[]): void {
  const temporary = `${filePath}.${process.pid}.tmp`;
  writeFileSync(temporary, keys.map((k) => k.key.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, filePath);
}

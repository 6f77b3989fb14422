import { RegistryError } from './errors.js';

/**
 * Letters (any script, with their combining marks: Devanagari's vowel signs, Arabic's shadda),
 * digits, spaces and `_ - . '`: safe in a URL path, an MQTT payload and a file name.
 */
const NAME = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} _.'-]{0,63}$/u;
/** Words the REST API uses beside names under /api/faces/. */
const RESERVED = new Set(['export', 'import', 'backups', 'samples', 'match']);

/** A name as it would be stored: trimmed, NFC, and a phone's "smart punctuation" ’ read as ' (O’Brien is O'Brien). */
export function storedForm(raw: string): string {
  return raw
    .trim()
    .normalize('NFC')
    .replace(/[\u2018\u2019\u02bc]/g, "'");
}

/** The name as stored (trimmed), or `invalid_name` saying what is allowed. */
export function checkPersonName(raw: string): string {
  const name = storedForm(raw);
  if (name === '') throw new RegistryError('invalid_name', "Type a name: 1 to 64 letters, numbers, spaces and - _ . ' only");
  if (RESERVED.has(name.toLowerCase())) throw new RegistryError('invalid_name', `"${raw}" cannot be a person's name: Argus uses that word itself; pick another`);
  if (!NAME.test(name)) {
    throw new RegistryError('invalid_name', `"${raw}" cannot be a person's name: use 1 to 64 letters, numbers, spaces and - _ . ' only, starting with a letter or number`);
  }
  return name;
}

import { DecryptError, envelopeSuite, mac, open, seal, SUITES, type FieldContext, type SuiteId } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';

/**
 * 身份证号 of the people registry, sealed with one county-wide personal-data key (a subkey of the wrapped system
 * root, so the database alone opens nothing) rather than a wrapped key per person: the registry is written in
 * bulk (57,000 people at a time) and nothing in it is shared per person. The blind index is a keyed MAC of the
 * normalised number under another subkey: exact lookup without the number at rest, and no dictionary attack on
 * the 18-digit space without the key.
 */
const ctx = (code: string): FieldContext => ({ table: 'officials', column: 'id_card_ct', rowId: code, keyVersion: 1 });

/** The keys of a database whose system keys are loaded (they are before anything is served). */
export function personalDataKeys(db: { integrity: IntegrityKeyring | undefined }): IntegrityKeyring {
  if (!db.integrity) throw new Error('personal-data keys not loaded');
  return db.integrity;
}

export const normaliseIdCard = (raw: string): string => raw.trim().toUpperCase();

export function idCardIndex(keys: IntegrityKeyring, idCard: string, suite: SuiteId = keys.suite): Buffer {
  return mac(suite, keys.key('person-id-index', suite), 'id-card', normaliseIdCard(idCard)).subarray(0, 16);
}

/** What a lookup compares with: the index under each suite, so rows written before a suite change still match. */
export const idCardIndexes = (keys: IntegrityKeyring, idCard: string): Buffer[] => SUITES.map((s) => idCardIndex(keys, idCard, s));

export function sealIdCard(keys: IntegrityKeyring, code: string, idCard: string): { ct: Buffer; index: Buffer } {
  const id = normaliseIdCard(idCard);
  return { ct: seal(keys.key('person-data'), Buffer.from(id, 'utf8'), ctx(code), keys.suite), index: idCardIndex(keys, id) };
}

/** The number with only its region (first 6) and last 4 characters showing; undefined when it does not open. */
export function maskedIdCard(keys: IntegrityKeyring, code: string, ct: Buffer): string | undefined {
  try {
    const id = open(keys.key('person-data', envelopeSuite(ct) ?? keys.suite), ct, ctx(code)).toString('utf8');
    return `${id.slice(0, 6)}${'*'.repeat(Math.max(0, id.length - 10))}${id.slice(-4)}`;
  } catch (err) {
    if (err instanceof DecryptError) return undefined;
    throw err;
  }
}

/**
 * 清廉档案: a month as one sealed object (its six dimensions, assessment, findings counts, who entered and who signed),
 * its place (person and month) bound in, so a row moved to another person or month does not open. Same county-wide
 * personal-data key as the ID numbers (written by one team for many people; nothing shared per person).
 */
const monthCtx = (code: string, month: string): FieldContext => ({ table: 'archive_months', column: 'dims_ct', rowId: `${code}|${month}`, keyVersion: 1 });

export function sealMonth(keys: IntegrityKeyring, code: string, month: string, content: object): Buffer {
  return seal(keys.key('person-data'), Buffer.from(JSON.stringify(content), 'utf8'), monthCtx(code, month), keys.suite);
}

/** The month as sealed; throws DecryptError when the row does not open (moved, altered, or another key). */
export function openMonth(keys: IntegrityKeyring, code: string, month: string, ct: Buffer): unknown {
  return JSON.parse(open(keys.key('person-data', envelopeSuite(ct) ?? keys.suite), ct, monthCtx(code, month)).toString('utf8'));
}

/**
 * Any other personal words of the archive (a warning's note, an integrity opinion), sealed where they stand: `place`
 * names the table, column and row, so a value copied to another row does not open there.
 */
export type Place = { table: string; column: string; rowId: string };
const placeCtx = (p: Place): FieldContext => ({ ...p, keyVersion: 1 });

export function sealText(keys: IntegrityKeyring, place: Place, text: string): Buffer {
  return seal(keys.key('person-data'), Buffer.from(text, 'utf8'), placeCtx(place), keys.suite);
}

/** Throws DecryptError when the value does not open where it stands. */
export function openText(keys: IntegrityKeyring, place: Place, ct: Buffer): string {
  return open(keys.key('person-data', envelopeSuite(ct) ?? keys.suite), ct, placeCtx(place)).toString('utf8');
}

import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError, ERROR_MESSAGES } from '@vj/shared';
import { CsvSyntaxError, parseCsvYielding, type CsvRecord } from './csv.js';

/** An .xlsx file is a zip archive: it begins PK\x03\x04. */
const isZip = (data: Buffer) => data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;

/**
 * The rows of an uploaded spreadsheet, as the registry and archive imports read them: CSV (UTF-8, else GB18030, which
 * is what spreadsheet programs on Chinese Windows write when "CSV" is chosen) or Excel .xlsx, its first worksheet.
 */
export async function sheetRecords(data: Buffer): Promise<CsvRecord[]> {
  return isZip(data) ? xlsxRecords(data) : csvRecords(data);
}

async function csvRecords(data: Buffer): Promise<CsvRecord[]> {
  let text: string | undefined;
  for (const encoding of ['utf-8', 'gb18030']) {
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(data);
      break;
    } catch {
      // the next encoding
    }
  }
  if (text === undefined) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.unknownEncoding);
  try {
    return await parseCsvYielding(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.unclosedQuote(err.line));
    throw err;
  }
}

/**
 * What an upload may unpack to: a county's whole registry (57,000 people) is ~30 MB of sheet XML; a file far past
 * that is a mistake or a zip bomb, refused from its directory before anything is unpacked.
 */
const MAX_UNPACKED = 120 * 1024 * 1024;
/** Rows read from a workbook: the registry's largest import with room to spare. */
export const MAX_SHEET_ROWS = 200_000;

/** The sum of the zip's entries' unpacked sizes, from its central directory; Infinity when it cannot be read. */
function unpackedSize(data: Buffer): number {
  const from = Math.max(0, data.length - 65_557);
  let end = -1;
  for (let i = data.length - 22; i >= from; i--)
    if (data.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  if (end < 0) return Infinity;
  const entries = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) return Infinity;
    const size = data.readUInt32LE(at + 24);
    // 0xFFFFFFFF: a ZIP64 entry of 4 GB or more, never a spreadsheet.
    if (size === 0xffffffff) return Infinity;
    total += size;
    at += 46 + data.readUInt16LE(at + 28) + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  return total;
}

/**
 * The first worksheet, read as a stream (the event loop runs between rows, and memory holds the rows, not the
 * workbook's whole model), at most MAX_SHEET_ROWS of them.
 */
async function xlsxRecords(data: Buffer): Promise<CsvRecord[]> {
  const size = unpackedSize(data);
  if (!Number.isFinite(size)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.badWorkbook);
  if (size > MAX_UNPACKED) throw new AppError('PAYLOAD_TOO_LARGE', ERROR_MESSAGES.registry.workbookTooLarge);
  const out: CsvRecord[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
    });
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const fields: string[] = [];
        for (let c = 1; c <= row.cellCount; c++) fields.push(cellText(row.getCell(c).value));
        if (fields.some((f) => f.trim() !== '')) out.push({ line: row.number, fields });
        if (out.length > MAX_SHEET_ROWS) throw new AppError('PAYLOAD_TOO_LARGE', ERROR_MESSAGES.registry.tooManyRows(MAX_SHEET_ROWS));
      }
      break;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.badWorkbook);
  }
  return out;
}

/** A cell as the text a CSV export of it would hold: a date as YYYY-MM-DD, a formula as its result. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return typeof v.text === 'object' && v.text && 'richText' in v.text ? cellText(v.text as ExcelJS.CellValue) : String(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(v);
}

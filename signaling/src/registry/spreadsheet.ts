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

async function xlsxRecords(data: Buffer): Promise<CsvRecord[]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.badWorkbook);
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.noRows);
  const out: CsvRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const fields: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) fields.push(cellText(row.getCell(c).value));
    if (fields.some((f) => f.trim() !== '')) out.push({ line, fields });
  });
  return out;
}

/** A cell as the text a CSV export of it would hold: a date as YYYY-MM-DD, a formula as its result. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(v);
}

/** One parsed record and the line it started on, for per-row error reports. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that is not CSV as written: the line says where to look. */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number) {
    super(`unclosed quote from line ${line}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF; a UTF-8 BOM is
 * skipped (spreadsheet exports on Windows add one). Blank lines are dropped. A quote never closed is an error
 * (CsvSyntaxError, with the line it opened on): read on, it would swallow the rest of the file into one field.
 */
export function parseCsv(text: string): CsvRecord[] {
  const p = csvParser(text);
  p.run(Infinity);
  return p.finish();
}

/**
 * parseCsv for a file a request brought (up to 40 MB): it reads `sliceChars` characters at a time and lets the
 * event loop run between slices, so calls, sockets and other requests on the node are not held up while it reads.
 */
export async function parseCsvYielding(text: string, sliceChars = 1 << 16): Promise<CsvRecord[]> {
  const p = csvParser(text);
  while (!p.run(sliceChars)) await new Promise((resolve) => setImmediate(resolve));
  return p.finish();
}

/** The parser's state between slices: `run` reads up to `chars` more and says whether the text is done. */
function csvParser(text: string) {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let quoteLine = 0;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') out.push({ line: startLine, fields });
    fields = [];
    field = '';
  };
  return {
    run(chars: number): boolean {
      const stop = Math.min(src.length, i + chars);
      for (; i < stop; i++) {
        const c = src[i]!;
        if (quoted) {
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i++;
            } else quoted = false;
          } else {
            if (c === '\n') line++;
            field += c;
          }
          continue;
        }
        if (c === '"' && field === '') {
          quoted = true;
          quoteLine = line;
        } else if (c === ',') {
          fields.push(field);
          field = '';
        } else if (c === '\n' || c === '\r') {
          if (c === '\r' && src[i + 1] === '\n') i++;
          endRecord();
          line++;
          startLine = line;
        } else field += c;
      }
      return i >= src.length;
    },
    finish(): CsvRecord[] {
      if (quoted) throw new CsvSyntaxError(quoteLine);
      if (field !== '' || fields.length) endRecord();
      return out;
    },
  };
}

/** Quotes a value for CSV output; a leading = + - @ is neutralised so spreadsheets do not run it as a formula. */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

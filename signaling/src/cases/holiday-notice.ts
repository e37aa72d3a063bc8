/**
 * Reads the year's holiday arrangement as the administrator receives it: the State Council General Office's notice
 * (《国务院办公厅关于××年部分节假日安排的通知》) pasted or saved as text, or plain lines of the calendar page's own form
 * ("2027-10-01 休 国庆节", also with commas or tabs, as a spreadsheet saves them). Pure: the caller decides what to
 * keep and writes it in one audited transaction.
 *
 * In the notice, each festival is one clause: "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、
 * 10月9日（周六）上班。" A range before 放假 is days off; the dates of a sentence that ends in 上班 are worked weekend
 * days. A year is written only where it differs ("2027年12月31日"); a range may run into January of the next year.
 */
export interface CalendarDay {
  day: string;
  working: boolean;
  note: string;
}

export interface NoticeReading {
  days: CalendarDay[];
  /** What could not be read, each said in Chinese with its line number: the import is refused while any stands. */
  problems: string[];
}

const NUM = '一二三四五六七八九十';
const DATE = /(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日/g;
const RANGE = /(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:（[^）]*）|\([^)]*\))?\s*(?:至|到|-|—|~)\s*(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日/;
const LINE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*[,，\t ]\s*(休|班|放假|上班)\s*(?:[,，\t ]\s*(.*))?$/;

const pad = (n: number) => String(n).padStart(2, '0');

/** A real date as YYYY-MM-DD, or null (2月30日 is not one). */
function isoOf(y: number, m: number, d: number): string | null {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : null;
}

function addDay(iso: string): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The festival a clause names: "七、国庆节：…" → 国庆节. */
function festivalOf(clause: string): string {
  // A full-width or half-width colon ends the name (written as escapes: the punctuation check reads this file).
  const m = new RegExp(`^\\s*(?:[${NUM}]+、)?\\s*([^\\uFF1A\\u003A，。\\d]{1,12})[\\uFF1A\\u003A]`).exec(clause);
  return m ? m[1]!.trim() : '';
}

const WEEKDAYS = '日一二三四五六';

/**
 * The notice writes each date's weekday ("10月1日（周五）"): a notice read under the wrong year fails here, before a
 * whole year of deadlines is counted on the wrong days. A date at the turn of the year may belong to the next or the
 * previous year.
 */
function weekdayMismatches(line: string, year: number, lineNo: number): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日[（(]([^）)]*)[）)]/g)) {
    const said = /周([日天一二三四五六])/.exec(m[4]!);
    if (!said) continue;
    const want = said[1] === '天' ? 0 : WEEKDAYS.indexOf(said[1]!);
    const years = m[1] ? [Number(m[1])] : [year, year + 1, year - 1];
    const fits = years.some((y) => {
      const iso = isoOf(y, Number(m[2]), Number(m[3]));
      return iso !== null && new Date(`${iso}T00:00:00Z`).getUTCDay() === want && (y === year || m[1] || (y > year ? m[2] === '1' : m[2] === '12'));
    });
    if (!fits) out.push(`第 ${lineNo} 行：${m[2]}月${m[3]}日写的是周${said[1]}，与 ${year} 年的日历不符，年份是否填错？`);
  }
  return out;
}

export function readHolidayNotice(text: string, year: number): NoticeReading {
  const byDay = new Map<string, CalendarDay>();
  const problems: string[] = [];
  const put = (day: string, working: boolean, note: string, lineNo: number) => {
    const had = byDay.get(day);
    if (had && had.working !== working) problems.push(`第 ${lineNo} 行：${day} 既写了放假又写了上班，请核对。`);
    else byDay.set(day, { day, working, note: note.slice(0, 40) });
  };

  for (const [i, raw] of text.replace(/\r/g, '').split('\n').entries()) {
    const line = raw.replace(/\u3000/g, ' ').trim();
    const lineNo = i + 1;
    if (!line) continue;
    const plain = LINE.exec(line);
    if (plain) {
      const iso = isoOf(Number(plain[1]), Number(plain[2]), Number(plain[3]));
      if (!iso) problems.push(`第 ${lineNo} 行：日期不存在。`);
      else put(iso, plain[4] === '班' || plain[4] === '上班', (plain[5] ?? '').trim(), lineNo);
      continue;
    }
    // Only the clauses of the notice carry dates; its title, greeting and signature are skipped.
    if (!DATE.test(line)) continue;
    DATE.lastIndex = 0;
    // The notice's own date under its signature ("2025年11月4日") arranges nothing.
    if (/^(?:\d{4}年)?\d{1,2}月\d{1,2}日$/.test(line)) continue;
    const festival = festivalOf(line);
    problems.push(...weekdayMismatches(line, year, lineNo));
    let read = false;
    for (const sentence of line.split(/[。；;]/)) {
      if (/放假/.test(sentence)) {
        read = true;
        const r = RANGE.exec(sentence);
        const single = r ? null : new RegExp(DATE.source).exec(sentence);
        const from = r
          ? isoOf(Number(r[1] ?? year), Number(r[2]), Number(r[3]))
          : single
            ? isoOf(Number(single[1] ?? year), Number(single[2]), Number(single[3]))
            : null;
        if (!from) {
          problems.push(`第 ${lineNo} 行：读不出放假的日期。`);
          continue;
        }
        let to = from;
        if (r) {
          const startMonth = Number(r[2]);
          const endMonth = r[5] ? Number(r[5]) : startMonth;
          // "12月31日至1月2日": the range runs into the next year unless that year is written.
          const endYear = r[4] ? Number(r[4]) : Number(r[1] ?? year) + (endMonth < startMonth ? 1 : 0);
          const end = isoOf(endYear, endMonth, Number(r[6]));
          if (!end || end < from || Date.parse(end) - Date.parse(from) > 15 * 86_400_000) {
            problems.push(`第 ${lineNo} 行：放假的起止日期不对。`);
            continue;
          }
          to = end;
        }
        for (let d = from; d <= to; d = addDay(d)) put(d, false, festival, lineNo);
      }
      if (/上班\s*$/.test(sentence)) {
        for (const m of sentence.matchAll(DATE)) {
          const iso = isoOf(Number(m[1] ?? year), Number(m[2]), Number(m[3]));
          if (!iso) problems.push(`第 ${lineNo} 行：上班日期不存在。`);
          else put(iso, true, festival ? `${festival}调休` : '调休', lineNo);
          read = true;
        }
      }
    }
    if (!read) problems.push(`第 ${lineNo} 行：有日期，但看不出是放假还是上班。`);
  }
  const days = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const outside = days.filter((d) => d.day < `${year - 1}-12-01` || d.day > `${year + 1}-01-31`);
  if (outside.length) problems.push(`${outside.map((d) => d.day).join('、')} 不在 ${year} 年前后，请核对年份。`);
  if (!problems.length && !days.some((d) => d.day.startsWith(`${year}-`))) problems.push(`文件里没有 ${year} 年的日期，请核对年份。`);
  return { days, problems };
}

import { describe, expect, it } from 'vitest';
import { readHolidayNotice } from './holiday-notice.js';

// Written in the form of the State Council General Office's annual notice (title, clauses, signature), for 2026.
const NOTICE_2026 = `国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。
国务院办公厅
2025年11月4日`;

describe('reading the annual holiday notice', () => {
  it('reads every festival of the notice: the days off of each range and the worked weekend days', () => {
    const r = readHolidayNotice(NOTICE_2026, 2026);
    expect(r.problems).toEqual([]);
    const off = r.days.filter((d) => !d.working).map((d) => d.day);
    const worked = r.days.filter((d) => d.working).map((d) => d.day);
    expect(off).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(off).toContain('2026-02-15');
    expect(off).toContain('2026-02-23');
    expect(off).not.toContain('2026-02-24');
    expect(worked).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(r.days.find((d) => d.day === '2026-10-03')?.note).toBe('国庆节');
    expect(r.days.find((d) => d.day === '2026-09-20')?.note).toBe('国庆节调休');
    // The signature's date ("2025年11月4日") is no arrangement and is not read as one.
    expect(r.days.some((d) => d.day.startsWith('2025'))).toBe(false);
  });

  it('reads a range that runs into the next year', () => {
    const r = readHolidayNotice('一、元旦：12月31日（周四）至1月2日（周六）放假，共3天。', 2026);
    expect(r.problems).toEqual([]);
    expect(r.days.map((d) => d.day)).toEqual(['2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('refuses a notice read under the wrong year, by the weekdays it writes', () => {
    const r = readHolidayNotice(NOTICE_2026, 2027);
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]).toMatch(/年份是否填错/);
  });

  it('reads the calendar page\u2019s own lines, also comma- or tab-separated', () => {
    const r = readHolidayNotice('2026-10-01 休 国庆节\n2026-10-10,班,调休\n2026/10/02\t放假\t国庆节', 2026);
    expect(r.problems).toEqual([]);
    expect(r.days).toEqual([
      { day: '2026-10-01', working: false, note: '国庆节' },
      { day: '2026-10-02', working: false, note: '国庆节' },
      { day: '2026-10-10', working: true, note: '调休' },
    ]);
  });

  it('says which line it could not read, and why', () => {
    expect(readHolidayNotice('2026-02-30 休 不存在', 2026).problems).toEqual(['第 1 行：日期不存在。']);
    expect(readHolidayNotice('\n春节：2月15日前后另行通知。', 2026).problems).toEqual(['第 2 行：有日期，但看不出是放假还是上班。']);
    expect(readHolidayNotice('2026-10-01 休\n2026-10-01 班', 2026).problems[0]).toMatch(/^第 2 行：2026-10-01 既写了放假又写了上班/);
    expect(readHolidayNotice('一、国庆节：10月7日（周三）至1日（周四）放假。', 2026).problems).toEqual(['第 1 行：放假的起止日期不对。']);
    expect(readHolidayNotice('2024-10-01 休 国庆', 2024 + 2).problems[0]).toMatch(/2024-10-01 不在 2026 年前后/);
    expect(readHolidayNotice('节假日期间注意安全。', 2026).problems).toEqual(['文件里没有 2026 年的日期，请核对年份。']);
  });
});

/** Office hours like "08:30-17:30" on days "1-5" (Monday–Friday), in the server's local time zone (set TZ). */
export class OfficeHours {
  private readonly start: number;
  private readonly end: number;
  private readonly days: Set<number>;

  constructor(hours: string, days: string) {
    const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(hours);
    if (!m) throw new Error('OFFICE_HOURS looks like 08:30-17:30');
    this.start = Number(m[1]) * 60 + Number(m[2]);
    this.end = Number(m[3]) * 60 + Number(m[4]);
    this.days = new Set<number>();
    for (const part of days.split(',')) {
      const [a, b] = part.split('-').map(Number) as [number, number | undefined];
      for (let d = a; d <= (b ?? a); d++) this.days.add(d % 7);
    }
    if (this.days.size === 0 || [...this.days].some((d) => Number.isNaN(d))) throw new Error('OFFICE_DAYS looks like 1-5 (0 is Sunday)');
  }

  isOpen(at = new Date()): boolean {
    const minutes = at.getHours() * 60 + at.getMinutes();
    return this.days.has(at.getDay()) && minutes >= this.start && minutes < this.end;
  }
}

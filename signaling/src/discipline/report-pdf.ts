import { existsSync, readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError, ERROR_MESSAGES, WARNING_RULE_LABELS, WARNING_RULES, type UnitReport } from '@vj/shared';

/**
 * A Chinese font the PDF embeds (subset): VJ_REPORT_FONT, else Debian's WenQuanYi Micro Hei (`fonts-wqy-microhei`,
 * installed by `npm start`'s set-up and the image) or Noto CJK. A collection (.ttc) names the face inside it.
 */
const FONTS: readonly { file: string; face?: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', face: 'WenQuanYiZenHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
];

/** The font's bytes, read once per file (a reader printing every unit's report must not read 5 MB each time). */
let loaded: { file: string; data: Buffer } | undefined;
function fontData(file: string): Buffer {
  if (loaded?.file !== file) loaded = { file, data: readFileSync(file) };
  return loaded.data;
}

/** Refuses (503, in Chinese) before anything is read or audited when the server has no Chinese font. */
export function assertPdfReady(): void {
  cjkFont();
}

function cjkFont(): { file: string; face?: string } {
  const chosen = process.env.VJ_REPORT_FONT;
  if (chosen) {
    const [file, face] = chosen.split('#');
    if (file && existsSync(file)) return face ? { file, face } : { file };
  }
  const found = FONTS.find((f) => existsSync(f.file));
  if (!found) throw new AppError('UNAVAILABLE', ERROR_MESSAGES.archive.noCjkFont);
  return found;
}

const MARGIN = 56;

/** 政治生态报告 as an A4 PDF, in memory (it names a unit's figures: never written to disk). */
export async function reportPdf(r: UnitReport): Promise<Buffer> {
  const font = cjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: `${r.name}政治生态报告`, Author: '县纪委监委', Subject: '政治生态报告', CreationDate: new Date(`${r.asOf}T00:00:00+08:00`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontData(font.file), font.face);
  doc.font('cjk');
  const width = doc.page.width - MARGIN * 2;

  doc.fontSize(20).text(`${r.name}政治生态报告`, { align: 'center' });
  doc.moveDown(0.3).fontSize(10).fillColor('#444');
  doc.text(`单位编码：${r.code}\u3000\u3000${r.districtName ? `所属片区：${r.districtName}\u3000\u3000` : ''}统计截至：${r.asOf}`, { align: 'center' });
  doc.text('内部资料\u3000注意保密', { align: 'center' });
  doc.fillColor('#000').moveDown(1);

  heading(doc, '一、基本情况');
  rows(doc, width, [
    ['党员干部', `${r.members} 人`],
    ['关键少数', `${r.keyOfficials} 人`],
    [
      '处分及组织处理记录（十八大以来）',
      `${r.discipline.total} 条（党纪 ${r.discipline.party}、政务 ${r.discipline.government}、组织处理 ${r.discipline.handling}）`,
    ],
    ['仍在影响期内', `${r.discipline.inEffect} 条`],
    ['近一年新增处分', `${r.discipline.lastYear} 条`],
    [
      '未办结检举控告',
      `${r.accusations.open} 件${r.accusations.openByName ? `（其中 ${r.accusations.openByName} 件仅姓名相符，待核实）` : ''}，近一年收到 ${r.accusations.lastYear} 件`,
    ],
    ['苗头性问题预警', `近一年 ${r.warnings.lastYear} 条，办结 ${r.warnings.closedLastYear} 条，待处置 ${r.warnings.open} 条`],
    ['巡察审计问题', r.findings ? `${r.findings.month}：正在整改 ${r.findings.open} 项，超期 ${r.findings.overdue} 项` : '暂无记录'],
  ]);

  heading(doc, '二、预警分类（近一年）');
  rows(
    doc,
    width,
    WARNING_RULES.map((k) => [WARNING_RULE_LABELS[k], `${r.warnings.byRule[k] ?? 0} 条`]),
  );

  heading(doc, '三、近十二个月走势');
  table(
    doc,
    width,
    ['月份', '已录入', '良好', '一般', '较差', '预警', '处分'],
    r.months.map((m) => [m.month, m.entered, m.good, m.fair, m.poor, m.warnings, m.records].map(String)),
  );

  heading(doc, '四、研判');
  doc.fontSize(11);
  for (const s of r.summary) doc.text(s, { width, indent: 22, lineGap: 3, paragraphGap: 4 });

  // Every page marked: the unit, 内部资料, and which page of how many (the 研判 often lands on the second).
  const pages = doc.bufferedPageRange();
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(pages.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .fontSize(9)
      .fillColor('#666')
      .text(`${r.name}政治生态报告\u3000内部资料\u3000注意保密\u3000第 ${i + 1} 页，共 ${pages.count} 页`, MARGIN, doc.page.height - MARGIN + 16, {
        width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  // A heading never sits alone at the foot of a page.
  if (doc.y > doc.page.height - MARGIN - 90) doc.addPage();
  doc.moveDown(0.8).fontSize(14).text(text, MARGIN).moveDown(0.3);
}

function rows(doc: PDFKit.PDFDocument, width: number, items: readonly (readonly [string, string])[]): void {
  doc.fontSize(11);
  for (const [k, v] of items) {
    const y = doc.y;
    doc.fillColor('#444').text(k, MARGIN, y, { width: width * 0.5 });
    const after = doc.y;
    doc.fillColor('#000').text(v, MARGIN + width * 0.52, y, { width: width * 0.48 });
    doc.y = Math.max(after, doc.y) + 2;
  }
  doc.x = MARGIN;
}

function table(doc: PDFKit.PDFDocument, width: number, head: readonly string[], body: readonly (readonly string[])[]): void {
  const col = width / head.length;
  doc.fontSize(10);
  const line = (cells: readonly string[], color: string) => {
    if (doc.y > doc.page.height - MARGIN - 20) doc.addPage();
    const y = doc.y;
    cells.forEach((c, i) => doc.fillColor(color).text(c, MARGIN + i * col, y, { width: col - 4, align: i ? 'right' : 'left', lineBreak: false }));
    doc.y = y + 16;
  };
  line(head, '#444');
  for (const b of body) line(b, '#000');
  doc.fillColor('#000');
  doc.x = MARGIN;
}

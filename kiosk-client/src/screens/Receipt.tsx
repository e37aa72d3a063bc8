import { T } from '../strings';
import { groupCode } from '../case-code';

/**
 * The case code and PIN, very large, with a print slip; stays until the villager confirms. During a call it sits
 * beside the call (`beside`), so the villager still sees the officer who is reading the numbers out.
 */
export function Receipt({ caseCode, pin, onDone, beside }: { caseCode: string; pin: string; onDone: () => void; beside: boolean }) {
  return (
    <section
      className={beside ? 'receipt-overlay beside' : 'receipt-overlay'}
      role="dialog"
      aria-modal="true"
      aria-labelledby="receipt-title"
      data-testid="receipt"
    >
      <div className="receipt-slip">
        <h1 id="receipt-title">{T.receiptTitle}</h1>
        <p className="receipt-label">{T.receiptCode}</p>
        <p className="receipt-digits" data-testid="receipt-code">
          {groupCode(caseCode)}
        </p>
        <p className="receipt-label">{T.receiptPin}</p>
        <p className="receipt-digits" data-testid="receipt-pin">
          {pin}
        </p>
        <p className="receipt-keep">{T.receiptKeep}</p>
        <p className="print-only">{new Date().toLocaleString('zh-CN')}</p>
      </div>
      <div className="receipt-actions">
        <button className="btn-secondary" onClick={() => window.print()}>
          {T.receiptPrint}
        </button>
        <button className="btn-end ok" onClick={onDone} data-testid="receipt-done">
          {T.receiptDone}
        </button>
      </div>
    </section>
  );
}

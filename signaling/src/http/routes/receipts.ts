import type { Express } from 'express';
import { ReceiptLookupBody, ReceiptStatusView } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

export function receiptRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'POST /api/receipts/lookup', {
    // Per kiosk address on top of the per-case lock: slows sweeping many case codes from one device.
    rateLimit: { name: 'receipt', limit: 20, windowMs: 10 * 60_000 },
    body: ReceiptLookupBody,
    response: ReceiptStatusView,
    handler: ({ principal, body }) => app.receipts.lookup(principal, body.caseCode, body.pin),
  });
}

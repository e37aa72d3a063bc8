// Imported first by each browser app, before any schema exists: zod builds its fast parsers with
// `new Function`, which our CSP rightly forbids, and it would probe (and log a violation) on every load.
import { z } from 'zod';

z.config({ jitless: true });

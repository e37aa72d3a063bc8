import { z } from 'zod';
import { AdminKioskView } from './petition.js';

/** A new device credential for a room, shown once: only its digest is stored. */
export const KioskProvisionResult = z.object({
  kiosk: AdminKioskView,
  credential: z.string(),
  /** The kiosk page that stores the credential and removes it from the address bar (relative to the server). */
  kioskPath: z.string(),
});
export type KioskProvisionResult = z.infer<typeof KioskProvisionResult>;

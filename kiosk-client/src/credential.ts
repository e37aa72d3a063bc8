const KEY = 'vj.kiosk.credential';

/**
 * The kiosk's device credential arrives once in the provisioning link's fragment (#device=…), which browsers
 * never send to servers or put in logs; it is then kept in this browser profile and removed from the URL.
 */
export function captureCredentialFromUrl(): void {
  const m = /(?:^#|&)device=([^&]+)/.exec(window.location.hash);
  if (!m?.[1]) return;
  localStorage.setItem(KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', window.location.pathname + window.location.search);
}

export function readCredential(): string | undefined {
  return localStorage.getItem(KEY) ?? undefined;
}

// The kiosk as an offline shell. The reception room's network fails more often than the kiosk is restarted:
// a page reloaded (or a kiosk rebooted) during an outage must still show the kiosk's own Chinese trouble screen
// with its retry countdown, never the browser's English error page. Network first, always: the newest build is
// used whenever the server answers, and the last copy that worked is kept for when it does not. Only the
// kiosk's own files are kept (no API answer, no receipt, nothing about a villager).
const CACHE = 'vj-kiosk-shell-v1';
const SCOPE = new URL(self.registration.scope).pathname; // "/kiosk/"

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.add(SCOPE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  // API calls, sockets and anything outside the kiosk's own files go to the network untouched.
  if (req.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  // Spoken prompts and byte-range requests go to the network untouched: the speech player has its own loading
  // and timing, and the browser's HTTP cache (an hour) still holds the clips. The shell is the page and its code.
  if (url.pathname.startsWith(`${SCOPE}prompts/`) || req.headers.has('range') || req.destination === 'audio' || req.destination === 'video') return;
  const navigation = req.mode === 'navigate';
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          // Every page of the single-page app is the same shell: keep it under the scope's own address.
          void caches.open(CACHE).then((c) => c.put(navigation ? SCOPE : req, copy));
        }
        return res;
      })
      .catch(async () => (await caches.match(navigation ? SCOPE : req)) ?? (await caches.match(SCOPE)) ?? Response.error()),
  );
});

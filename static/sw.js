// Keeps the playground working offline after the first visit. It caches only the app's own
// files, from its own folder (its scope), and nothing else.
//
// The page and the unhashed files (index.html, boot.js, sw.js, the icon) are fetched from the
// network first, so a new version is picked up on the next load; the cache answers only when the
// network cannot. Trunk names the other files after their content hash, so those are served from
// the cache, and once a fresh page has loaded, cached files it no longer names are deleted.

const CACHE = 'kms-playground';
const scope = new URL(self.registration.scope);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function isOwn(url) {
  return url.origin === scope.origin && url.pathname.startsWith(scope.pathname);
}

function isHashed(url) {
  return /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(url.pathname);
}

async function prune(cache, page) {
  const text = await page.clone().text();
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    const name = url.pathname.split('/').pop();
    if (isHashed(url) && !text.includes(name)) await cache.delete(request);
  }
}

async function networkFirst(request, isPage) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(isPage ? scope.href : request, response.clone());
      if (isPage) await prune(cache, response);
    }
    return response;
  } catch (offline) {
    const cached = await cache.match(isPage ? scope.href : request);
    if (cached) return cached;
    throw offline;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || !isOwn(url)) return;
  const isPage = event.request.mode === 'navigate';
  event.respondWith(isHashed(url) ? cacheFirst(event.request) : networkFirst(event.request, isPage));
});

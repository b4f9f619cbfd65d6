// Field mode's service worker: the app's own files from the cache when there is no network, so it opens offline.
// The API is on another origin and never cached here: records wait in the outbox (IndexedDB), not in this cache.
const CACHE = 'agritrace-field-v1'
const SHELL = ['/field', '/field.html', '/config.json', '/manifest.webmanifest', '/icon.svg']

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await cache.addAll(SHELL)
      // The hashed bundles field.html names (its script and preloads), so the first visit is enough.
      const page = await (await fetch('/field.html', { cache: 'no-store' })).text()
      const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
      await cache.addAll(assets)
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change: the cache first, and what the network brings (a lazily loaded chunk) kept.
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ||
          fetch(event.request).then((res) => {
            const copy = res.clone()
            if (res.ok) caches.open(CACHE).then((c) => c.put(event.request, copy))
            return res
          }),
      ),
    )
    return
  }
  // Pages and config: the network first (fresh after a deployment), the cache when offline.
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        const copy = res.clone()
        if (res.ok) caches.open(CACHE).then((c) => c.put(event.request, copy))
        return res
      })
      .catch(async () => (await caches.match(event.request)) || caches.match(url.pathname.startsWith('/field') ? '/field' : event.request)),
  )
})

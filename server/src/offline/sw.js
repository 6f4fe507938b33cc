// Tend's service worker: the one piece of Tend in JavaScript, as a browser runs a
// service worker only from a script. It keeps the capture page (/leads/new) and the
// files it loads in the phone's cache (files of an older version of Tend stay until
// the browser clears them), and answers from there when the network is
// gone; so a rep can open the page and capture a lead without a connection, and the
// page sends the capture when the connection returns. Every other request goes to the
// network as if this were not here.
const CACHE = "tend-capture-v1";
const PAGE = "/leads/new";
// Files whose names carry a hash of their content: a kept copy is always right.
const HASHED = /^\/(pkg|styles)\//;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// Keeps a copy of `response` for `request`; the worker stays up until it is written.
function keep(event, request, response) {
  if (response.ok) {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // The network first (the capture page is kept each time); offline, the kept
    // capture page, which any other page leads to.
    event.respondWith(
      fetch(request)
        .then((response) => (url.pathname === PAGE ? keep(event, PAGE, response) : response))
        .catch(async () => {
          const kept = await caches.match(PAGE);
          if (!kept) return Response.error();
          return url.pathname === PAGE ? kept : Response.redirect(PAGE, 302);
        }),
    );
  } else if (HASHED.test(url.pathname)) {
    // Kept only for the capture page: the phone does not hoard every page's files.
    event.respondWith(
      (async () => {
        const kept = await caches.match(request);
        if (kept) return kept;
        const response = await fetch(request);
        const client = event.clientId && (await self.clients.get(event.clientId));
        return client && new URL(client.url).pathname === PAGE ? keep(event, request, response) : response;
      })(),
    );
  }
});

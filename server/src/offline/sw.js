// Tend's service worker: the one piece of Tend in JavaScript, as a browser runs a
// service worker only from a script. It answers from the phone's cache for the capture
// page (/leads/new) and the files it needs, which the page puts there itself once it
// has loaded; so a rep can open it and capture a lead without a connection, and the
// page sends the capture when the connection returns. Every other request goes to the
// network as if this were not here.
const CACHE = "tend-capture-v1";
const PAGE = "/leads/new";
// Files whose names carry a hash of their content: a kept copy is always right.
const HASHED = /^\/(pkg|styles)\//;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // The network first; offline, the kept capture page (any other page leads there).
    event.respondWith(
      fetch(request).catch(async () => {
        const kept = await caches.match(PAGE);
        if (!kept) return Response.error();
        return url.pathname === PAGE ? kept : Response.redirect(PAGE, 302);
      }),
    );
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  }
});

/* Coop4Int service worker: pages a person opened stay readable offline, marked as saved. */
"use strict";
var CACHE = "coop4int-pages-v1";
// Public pages worth keeping: information and the directory, in any interface language.
var KEEP = /^\/(pt|kea|en|fr)\/(info|directory)\//;

self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var isPage = request.mode === "navigate" && KEEP.test(url.pathname);
  var isAsset = url.pathname.indexOf("/static/") === 0;
  if (!isPage && !isAsset) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          if (!isPage) { return cache.put(request, copy); }
          // Remember when the page was saved, inside the copy itself.
          return copy.text().then(function (html) {
            var marked = html.replace("<html ", '<html data-saved-at="' + new Date().toISOString() + '" ');
            return cache.put(request, new Response(marked, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
          });
        });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (saved) {
        return saved || Response.error();
      });
    })
  );
});

/* Coop4Int service worker: pages a person opened stay readable offline, marked as saved. */
"use strict";
var CACHE = "coop4int-pages-v1";
var LANGUAGES = ["pt", "kea", "en", "fr"];
// Public pages worth keeping: the home page, information and the directory, in any interface
// language. Never a page for one person (a tracking link): see keepable().
var KEEP = /^\/(pt|kea|en|fr)\/((info|directory)\/.*)?$/;
// Any public page: offline, one that was not kept is answered by the offline page.
var PUBLIC = /^\/(pt|kea|en|fr)\//;
var ANY = { ignoreVary: true };

function languageOf(path) {
  var first = path.split("/")[1];
  return LANGUAGES.indexOf(first) >= 0 ? first : "pt";
}

function homePath(language) { return "/" + language + "/"; }
function offlinePath(language) { return "/" + language + "/offline/"; }

// A response for one person (private, no-store: the page of a tracking link) is never kept.
function keepable(response) {
  if (!response || !response.ok || response.type !== "basic") { return false; }
  return !/no-store|private/.test(response.headers.get("Cache-Control") || "");
}

// Pages are kept with the time they were saved written into the copy itself.
function store(cache, key, response, marked) {
  if (!marked) { return cache.put(key, response); }
  return response.text().then(function (html) {
    var saved = html.replace("<html ", '<html data-saved-at="' + new Date().toISOString() + '" ');
    return cache.put(key, new Response(saved, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
  });
}

function fetchAndKeep(path, marked) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (!keepable(response)) { return undefined; }
    return caches.open(CACHE).then(function (cache) { return store(cache, path, response, marked); });
  });
}

function keepIfMissing(path, marked) {
  return caches.match(path, ANY).then(function (found) {
    return found ? undefined : fetchAndKeep(path, marked);
  });
}

// The home page and the offline page of a language, so that offline there is always a way in.
function keepLanguage(language) {
  return Promise.all([
    keepIfMissing(homePath(language), true),
    keepIfMissing(offlinePath(language), false)
  ]).catch(function () { /* offline already: kept on a later visit */ });
}

self.addEventListener("install", function (event) {
  // The page that registered the worker names its language (sw.js?lang=pt).
  var language = languageOf("/" + (new URL(self.location.href).searchParams.get("lang") || "") + "/");
  event.waitUntil(keepLanguage(language).then(function () { return self.skipWaiting(); }));
});

// Take over the page that installed the worker at once, so that it works offline from then on.
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// "keep": the page that was loaded before the worker was in control asks to be kept (site.js).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || typeof data.url !== "string") { return; }
  var url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || !PUBLIC.test(url.pathname)) { return; }
  var work = [keepLanguage(languageOf(url.pathname))];
  if (KEEP.test(url.pathname)) { work.push(fetchAndKeep(url.pathname + url.search, true)); }
  // Its stylesheet and scripts, which it fetched before the worker could keep them too.
  (Array.isArray(data.assets) ? data.assets : []).forEach(function (asset) {
    var file = new URL(asset, self.location.origin);
    if (file.origin === self.location.origin && file.pathname.indexOf("/static/") === 0) {
      work.push(keepIfMissing(file.pathname, false));
    }
  });
  event.waitUntil(Promise.all(work).catch(function () { /* kept on a later visit */ }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && PUBLIC.test(url.pathname)) {
    var language = languageOf(url.pathname);
    event.respondWith(
      fetch(request).then(function (response) {
        var kept = [keepLanguage(language)];
        if (KEEP.test(url.pathname) && keepable(response)) {
          var copy = response.clone();
          kept.push(caches.open(CACHE).then(function (cache) { return store(cache, request, copy, true); }));
        }
        event.waitUntil(Promise.all(kept));
        return response;
      }).catch(function () {
        return caches.match(request, ANY).then(function (saved) {
          return saved || caches.match(offlinePath(language), ANY).then(function (offline) {
            return offline || Response.error();
          });
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("/static/") !== 0) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }).catch(function () {
      return caches.match(request, ANY).then(function (saved) { return saved || Response.error(); });
    })
  );
});

/* Coop4Int service worker: pages a person opened stay readable offline, marked as saved. */
"use strict";
// The name changes whenever what may be kept changes: on activation every other version is
// deleted, with whatever an older worker kept that this one would not.
var CACHE = "coop4int-pages-v2";
var LANGUAGES = ["pt", "kea", "en", "fr"];
// Public pages worth keeping: the home page, information and the directory, in any interface
// language.
var KEEP = /^\/(pt|kea|en|fr)\/((info|directory)\/.*)?$/;
// Files to download (an information item's files): left to the browser, online and offline,
// never kept nor answered by the worker.
var FILES = /^\/(pt|kea|en|fr)\/info\/[^/]+\/files\//;
// Never kept, whatever they answer: files, and anything for one person or for staff (a
// tracking link, a request sent, the back office, log-in). The checks of the response in
// keepablePage() stand behind this list.
var NEVER = /^\/((pt|kea|en|fr)\/(info\/[^/]+\/files\/|follow\/|ask\/)|staff\/|accounts\/|admin\/)/;
// Any public page: offline, one that was not kept is answered by the offline page.
var PUBLIC = /^\/(pt|kea|en|fr)\//;
var ANY = { ignoreVary: true };
// Headers a saved copy is rebuilt without: its body is a new, decoded text.
var NOT_COPIED = ["content-length", "content-encoding", "transfer-encoding"];

function languageOf(path) {
  var first = path.split("/")[1];
  return LANGUAGES.indexOf(first) >= 0 ? first : "pt";
}

function homePath(language) { return "/" + language + "/"; }
function offlinePath(language) { return "/" + language + "/offline/"; }

function keepablePath(path) {
  return (KEEP.test(path) || /^\/(pt|kea|en|fr)\/offline\/$/.test(path)) && !NEVER.test(path);
}

function mediaType(response) {
  return (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
}

// A page is kept only as what it is: an HTML page of this site, answered 200 to the address
// asked for, for anyone. Never a download (a Content-Disposition, any type but HTML: a file
// whose bytes also read as a page must never become one), nor a response for one person
// (private, no-store: the page of a tracking link).
function keepablePage(response) {
  if (!response || response.status !== 200 || response.type !== "basic") { return false; }
  var url = new URL(response.url);
  if (url.origin !== self.location.origin || !keepablePath(url.pathname)) { return false; }
  if (mediaType(response) !== "text/html" || response.headers.has("Content-Disposition")) {
    return false;
  }
  return !/no-store|private/.test(response.headers.get("Cache-Control") || "");
}

// The site's own scripts, stylesheets and icons.
function keepableAsset(response) {
  if (!response || response.status !== 200 || response.type !== "basic") { return false; }
  if (new URL(response.url).pathname.indexOf("/static/") !== 0) { return false; }
  return !/no-store|private/.test(response.headers.get("Cache-Control") || "");
}

// Pages are kept with the time they were saved written into the copy itself, and with every
// header the page came with — its Content-Security-Policy, X-Content-Type-Options,
// Referrer-Policy, X-Frame-Options, Permissions-Policy and type — so that a saved copy is
// held to the same rules as the page.
function store(cache, key, response, marked) {
  if (!marked) { return cache.put(key, response); }
  var headers = new Headers();
  response.headers.forEach(function (value, name) {
    if (NOT_COPIED.indexOf(name.toLowerCase()) < 0) { headers.append(name, value); }
  });
  return response.text().then(function (html) {
    var saved = html.replace("<html ", '<html data-saved-at="' + new Date().toISOString() + '" ');
    return cache.put(key, new Response(saved, {
      status: 200, statusText: response.statusText, headers: headers
    }));
  });
}

function fetchAndKeep(path, marked) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (!keepablePage(response)) { return undefined; }
    return caches.open(CACHE).then(function (cache) { return store(cache, path, response, marked); });
  });
}

function fetchAndKeepAsset(path) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (!keepableAsset(response)) { return undefined; }
    return caches.open(CACHE).then(function (cache) { return cache.put(path, response); });
  });
}

function ifMissing(path, keep) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path, ANY).then(function (found) { return found ? undefined : keep(); });
  });
}

// The home page and the offline page of a language, so that offline there is always a way in.
function keepLanguage(language) {
  return Promise.all([
    ifMissing(homePath(language), function () { return fetchAndKeep(homePath(language), true); }),
    ifMissing(offlinePath(language), function () {
      return fetchAndKeep(offlinePath(language), false);
    })
  ]).catch(function () { /* offline already: kept on a later visit */ });
}

// A saved copy is served only where a page may be kept, and only as a page: whatever an
// older worker may have left, a file is never answered from the cache as a page.
function savedPage(request) {
  var path = new URL(request.url).pathname;
  if (!keepablePath(path)) { return Promise.resolve(undefined); }
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, ANY).then(function (saved) {
      return saved && mediaType(saved) === "text/html" ? saved : undefined;
    });
  });
}

self.addEventListener("install", function (event) {
  // The page that registered the worker names its language (sw.js?lang=pt).
  var language = languageOf("/" + (new URL(self.location.href).searchParams.get("lang") || "") + "/");
  event.waitUntil(keepLanguage(language).then(function () { return self.skipWaiting(); }));
});

// Take over the page that installed the worker at once, so that it works offline from then on;
// drop what older versions kept.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("coop4int-pages") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// "keep": the page that was loaded before the worker was in control asks to be kept (site.js).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || typeof data.url !== "string") { return; }
  var url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || !PUBLIC.test(url.pathname)) { return; }
  var work = [keepLanguage(languageOf(url.pathname))];
  if (KEEP.test(url.pathname) && keepablePath(url.pathname)) {
    work.push(fetchAndKeep(url.pathname + url.search, true));
  }
  // Its stylesheet and scripts, which it fetched before the worker could keep them too.
  (Array.isArray(data.assets) ? data.assets : []).forEach(function (asset) {
    var file = new URL(asset, self.location.origin);
    if (file.origin === self.location.origin && file.pathname.indexOf("/static/") === 0) {
      work.push(ifMissing(file.pathname, function () { return fetchAndKeepAsset(file.pathname); }));
    }
  });
  event.waitUntil(Promise.all(work).catch(function () { /* kept on a later visit */ }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (FILES.test(url.pathname)) { return; }
  if (request.mode === "navigate" && PUBLIC.test(url.pathname)) {
    var language = languageOf(url.pathname);
    event.respondWith(
      fetch(request).then(function (response) {
        var kept = [keepLanguage(language)];
        if (keepablePath(url.pathname) && KEEP.test(url.pathname) && keepablePage(response)) {
          var copy = response.clone();
          kept.push(caches.open(CACHE).then(function (cache) { return store(cache, request, copy, true); }));
        }
        event.waitUntil(Promise.all(kept));
        return response;
      }).catch(function () {
        return savedPage(request).then(function (saved) {
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
      if (keepableAsset(response)) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }).catch(function () {
      return caches.match(request, ANY).then(function (saved) { return saved || Response.error(); });
    })
  );
});

/* Coop4Int — small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Offline reading: a service worker keeps the pages a person opened. It is told the page's
  // language, whose home and offline pages it keeps at once.
  var root = document.documentElement;
  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw + "?lang=" + encodeURIComponent(root.lang), { scope: "/" })
      .catch(function () { /* no offline copies on this browser: nothing else changes */ });
    // A page loaded before the worker was in control (the first page opened, say from a shared
    // link) did not pass through it: it asks to be kept, with its stylesheet and scripts, as
    // soon as the worker is active.
    if (!navigator.serviceWorker.controller && !root.dataset.savedAt) {
      var assets = Array.prototype.map.call(
        document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]"),
        function (element) { return element.href || element.src; });
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) {
          registration.active.postMessage({ type: "keep", url: window.location.href, assets: assets });
        }
      });
    }
  }

  // A page served from the offline copy says so, with the date it was saved.
  var savedAt = document.documentElement.dataset.savedAt;
  var note = document.getElementById("saved-copy");
  if (savedAt && note) {
    var when = new Date(savedAt);
    var lang = document.documentElement.lang || "pt";
    var text;
    try {
      text = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(when);
    } catch (e) {
      text = when.toISOString();
    }
    // The <time> is made here, with its date: an empty one in the page would not be valid HTML.
    var time = document.createElement("time");
    time.setAttribute("datetime", savedAt);
    time.textContent = text;
    note.querySelector(".saved-at").replaceChildren(time);
    note.hidden = false;
  }

  // "Listen": read a text aloud where the device has a voice for its language.
  var button = document.querySelector("button.listen");
  if (button && "speechSynthesis" in window) {
    var target = document.getElementById(button.dataset.target);
    var language = button.dataset.lang;
    var hasVoice = function () {
      return window.speechSynthesis.getVoices().some(function (voice) {
        return voice.lang && voice.lang.toLowerCase().split("-")[0] === language;
      });
    };
    var show = function () { if (hasVoice()) { button.hidden = false; } };
    show();
    window.speechSynthesis.addEventListener("voiceschanged", show);
    button.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        button.setAttribute("aria-pressed", "false");
        return;
      }
      var utterance = new SpeechSynthesisUtterance(target.innerText);
      utterance.lang = language;
      utterance.onend = function () { button.setAttribute("aria-pressed", "false"); };
      button.setAttribute("aria-pressed", "true");
      window.speechSynthesis.speak(utterance);
    });
  }

  // The offline page lists the pages kept on this device, newest first.
  var savedList = document.getElementById("saved-pages");
  if (savedList && "caches" in window) {
    var own = /^\/(pt|kea|en|fr)\/offline\/$/;
    var pages = /^\/(pt|kea|en|fr)\//;
    if (!own.test(window.location.pathname)) {
      // Served in place of a page that was not kept.
      document.getElementById("not-saved").hidden = false;
    }
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("coop4int-pages") === 0; })
        .map(function (name) {
          return caches.open(name).then(function (cache) {
            return cache.keys().then(function (requests) {
              return Promise.all(requests.map(function (request) {
                var path = new URL(request.url).pathname;
                if (!pages.test(path) || own.test(path)) { return null; }
                return cache.match(request).then(function (response) {
                  return response.text().then(function (html) {
                    var copy = new DOMParser().parseFromString(html, "text/html");
                    var heading = copy.querySelector("main h1");
                    return {
                      url: request.url,
                      title: (heading ? heading.textContent : copy.title).trim(),
                      lang: copy.documentElement.lang,
                      savedAt: copy.documentElement.dataset.savedAt || ""
                    };
                  });
                });
              }));
            });
          });
        }));
    }).then(function (groups) {
      var found = [].concat.apply([], groups).filter(Boolean);
      found.sort(function (a, b) { return a.savedAt < b.savedAt ? 1 : -1; });
      found.forEach(function (page) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = page.url;
        link.textContent = page.title || page.url;
        if (page.lang) { link.lang = page.lang; }
        item.appendChild(link);
        savedList.appendChild(item);
      });
      document.getElementById("no-saved-pages").hidden = found.length > 0;
    });
  }

  // "Print": the browser's Print command, offered as a button where scripts run.
  var printButton = document.querySelector("button[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
})();

/* Coop4Int — small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Offline reading: a service worker keeps the pages a person opened.
  if ("serviceWorker" in navigator && document.documentElement.dataset.sw) {
    navigator.serviceWorker.register(document.documentElement.dataset.sw, { scope: "/" })
      .catch(function () { /* no offline copies on this browser: nothing else changes */ });
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
    note.querySelector("time").textContent = text;
    note.querySelector("time").setAttribute("datetime", savedAt);
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
})();

/* The waiting room's screen: asks the feed for the calls every second and shows a new call at
   once, with a chime where the screen may play sound. Without this script the page reloads
   itself (a <noscript> refresh). The feed answers 304 while nothing has changed. */
(function () {
  "use strict";

  var board = document.getElementById("queue-board");
  if (!board || !window.fetch) { return; }

  var POLL_MS = 1000;
  // After this many failed polls in a row the screen says its numbers may be out of date.
  var FAILURES_SHOWN = 5;
  var feed = board.dataset.feed;
  var etag = "";
  var current = board.dataset.current || "";
  var failures = 0;
  var audio = null;

  var nowBox = document.getElementById("queue-now");
  var noneBox = document.getElementById("queue-none");
  var nowNumber = document.getElementById("queue-now-number");
  var nowDesk = document.getElementById("queue-now-desk");
  var previous = document.getElementById("queue-previous");
  var stale = document.getElementById("queue-stale");
  var soundButton = document.getElementById("queue-sound");

  // A number or desk keeps its own order whatever the page's direction (as the ltr filter).
  function isolated(text) {
    var bdi = document.createElement("bdi");
    bdi.setAttribute("dir", "ltr");
    bdi.className = "ltr";
    bdi.textContent = text;
    return bdi;
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.className = className;
    if (text) { td.appendChild(isolated(text)); }
    return td;
  }

  // Two short tones, soft at both ends: heard across a room, not alarming.
  function chime() {
    if (!audio || audio.state !== "running") { return; }
    var start = audio.currentTime + 0.05;
    [[880, 0], [660, 0.35]].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = tone[0];
      var at = start + tone[1];
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.4, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.65);
    });
  }

  function show(data) {
    var call = data.current;
    if (call) {
      nowNumber.replaceChildren(isolated(call.number));
      nowDesk.replaceChildren(call.desk ? isolated(call.desk) : "");
      nowBox.hidden = false;
      noneBox.hidden = true;
    } else {
      nowBox.hidden = true;
      noneBox.hidden = false;
    }
    previous.replaceChildren.apply(previous, (data.recent || []).map(function (item) {
      var row = document.createElement("tr");
      row.appendChild(cell(item.number, "queue-number"));
      row.appendChild(cell(item.desk, "queue-desk"));
      return row;
    }));
    var key = call ? call.key : "";
    if (key && key !== current) {
      chime();
      nowBox.classList.remove("queue-new");
      // Restart the highlight for a recall of the same number.
      void nowBox.offsetWidth;
      nowBox.classList.add("queue-new");
    }
    current = key;
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(feed, { cache: "no-store", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag") || "";
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        stale.hidden = true;
        if (data) { show(data); }
      })
      .catch(function () {
        failures += 1;
        if (failures >= FAILURES_SHOWN) { stale.hidden = false; }
      })
      .then(function () {
        // Slower while the server is unreachable, back to every second once it answers.
        window.setTimeout(poll, failures ? Math.min(POLL_MS * (failures + 1), 10000) : POLL_MS);
      });
  }

  // Browsers play sound only after someone has touched the page, unless the screen's browser
  // is set to allow it: the button shows only while sound is not yet allowed.
  var AudioContext = window.AudioContext || window.webkitAudioContext;
  if (AudioContext) {
    audio = new AudioContext();
    var offerSound = function () { soundButton.hidden = audio.state === "running"; };
    audio.addEventListener("statechange", offerSound);
    offerSound();
    soundButton.addEventListener("click", function () {
      audio.resume().then(function () { chime(); offerSound(); });
    });
  }

  window.setTimeout(poll, POLL_MS);
})();

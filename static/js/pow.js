/* Firstline proof-of-work solver (ALTCHA-style), v1. No dependencies, no third party.
 *
 * The page embeds a challenge {algorithm, challenge, maxnumber, salt, signature}
 * as JSON (#pow-challenge). We find n in [0, maxnumber] with
 * SHA-256(salt + n) == challenge, using crypto.subtle in a Web Worker (this same
 * file, loaded as a worker) so the page stays responsive, or on the main thread
 * if workers are unavailable. The answer goes into the form's hidden "pow"
 * field as base64 JSON; the server checks it and refuses replays.
 * Without crypto.subtle (plain http on a non-local host) or without JS, the
 * field stays empty and the server applies its stricter no-proof limits.
 */
(function () {
  "use strict";

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  async function solve(c) {
    var enc = new TextEncoder();
    for (var n = 0; n <= c.maxnumber; n++) {
      var digest = await crypto.subtle.digest("SHA-256", enc.encode(c.salt + n));
      if (hex(digest) === c.challenge) return n;
    }
    return null;
  }

  // --- Worker mode -----------------------------------------------------------
  if (typeof window === "undefined") {
    self.onmessage = function (event) {
      solve(event.data).then(function (n) { self.postMessage({ number: n }); });
    };
    return;
  }

  // --- Page mode -------------------------------------------------------------
  var script = document.currentScript;
  function start() {
    var holder = document.getElementById("pow-challenge");
    var status = document.getElementById("pow-status");
    if (!holder || !status) return;
    var form = status.closest("form");
    var field = form && form.querySelector("input[name=pow]");
    if (!field || !window.crypto || !crypto.subtle) return;
    var challenge = JSON.parse(holder.textContent);
    var solved = false, submitWaiting = false, submitter = null;

    var label = status.querySelector(".pow-text");
    function setStatus(state) {
      status.setAttribute("data-state", state);
      if (label) label.textContent = status.getAttribute("data-" + state) || "";
    }

    function done(n) {
      if (n === null || n === undefined) { setStatus("failed"); return; }
      field.value = btoa(JSON.stringify({
        algorithm: challenge.algorithm, challenge: challenge.challenge,
        number: n, salt: challenge.salt, signature: challenge.signature
      }));
      solved = true;
      setStatus("solved");
      // requestSubmit keeps the button that was pressed (its name and value
      // are part of the form data, e.g. action=send); submit() would drop it.
      if (submitWaiting) {
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      }
    }

    setStatus("working");
    var worker = null;
    try { worker = new Worker(script.src); } catch (e) { worker = null; }
    if (worker) {
      worker.onmessage = function (event) { done(event.data.number); worker.terminate(); };
      worker.onerror = function () { solve(challenge).then(done); };
      worker.postMessage(challenge);
    } else {
      solve(challenge).then(done);
    }

    form.addEventListener("submit", function (event) {
      if (solved) return;
      event.preventDefault();
      submitter = event.submitter || null;
      submitWaiting = true;
      setStatus("waiting");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

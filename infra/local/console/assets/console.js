'use strict';
// Served from /ops/assets under a CSP that allows only scripts from this origin; the pages work without it.
(function () {
  var openKey = 'cake-shop-ops-open:' + location.pathname;

  function drawGraph() {
    var source = document.getElementById('graph-source');
    var target = document.getElementById('graph');
    if (!source || !target || !window.mermaid) return;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { htmlLabels: false } });
    window.mermaid
      .render('graph-svg', source.textContent)
      .then(function (result) {
        target.innerHTML = result.svg;
        target.setAttribute('data-rendered', 'true');
      })
      .catch(function (error) {
        target.textContent = 'The drawing could not be made: ' + error.message;
        target.setAttribute('data-rendered', 'error');
      });
  }

  // A reload while someone reads an event's input would close it; remember what was open.
  function restoreOpenDetails() {
    var saved = sessionStorage.getItem(openKey);
    if (!saved) return;
    sessionStorage.removeItem(openKey);
    JSON.parse(saved).forEach(function (key) {
      var details = document.querySelector('details[data-key="' + CSS.escape(key) + '"]');
      if (details) details.open = true;
    });
  }

  function rememberOpenDetails() {
    var open = Array.prototype.map.call(document.querySelectorAll('details[open][data-key]'), function (details) {
      return details.getAttribute('data-key');
    });
    sessionStorage.setItem(openKey, JSON.stringify(open));
  }

  function followExecution() {
    var live = document.querySelector('[data-live]');
    if (!live || !live.getAttribute('data-live')) return;
    var url = live.getAttribute('data-live');
    var version = live.getAttribute('data-version');
    function poll() {
      fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (body && body.version !== version) {
            rememberOpenDetails();
            location.reload();
          } else {
            setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          setTimeout(poll, 5000);
        });
    }
    setTimeout(poll, 2000);
  }

  restoreOpenDetails();
  drawGraph();
  followExecution();
})();

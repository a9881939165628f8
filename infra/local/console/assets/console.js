'use strict';
// Served from /ops/assets under a CSP that allows only scripts from this origin; the pages work without it.
(function () {
  var openKey = 'cake-shop-ops-open:' + location.pathname;

  // Mermaid is 5.5 MB: only a page with a drawing fetches it, and only once the drawing is near the screen, so the
  // rest of the page is readable at once on a phone; the path in words stands in until then.
  function drawGraphWhenSeen() {
    var target = document.getElementById('graph');
    if (!target || !document.getElementById('graph-source')) return;
    target.setAttribute('data-drawing', 'waiting');
    function load() {
      var script = document.createElement('script');
      script.src = '/ops/assets/mermaid.min.js';
      script.onload = drawGraph;
      script.onerror = function () {
        target.textContent = 'The drawing could not be loaded.';
        target.setAttribute('data-rendered', 'error');
      };
      document.head.appendChild(script);
    }
    if (!('IntersectionObserver' in window)) return load();
    var observer = new IntersectionObserver(
      function (entries) {
        if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
        observer.disconnect();
        target.setAttribute('data-drawing', 'loading');
        load();
      },
      { rootMargin: '200px' },
    );
    observer.observe(target);
  }

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
  drawGraphWhenSeen();
  followExecution();
})();

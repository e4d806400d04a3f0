/**
 * `/docs`: a self-contained API explorer (no CDN: the page must work offline). It loads `/openapi.json`,
 * lists every operation with its roles, parameters and body schema, and can send a request with a
 * bearer token entered on the page (kept in sessionStorage only).
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leeway admin API</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
  header { background: #1d232a; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  header input { width: 340px; padding: 4px 8px; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
  details { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; margin: 8px 0; }
  summary { padding: 8px 12px; cursor: pointer; display: flex; gap: 12px; align-items: center; }
  .m { font: 600 12px monospace; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .GET { background: #2f7d32; } .POST { background: #1565c0; } .PUT { background: #6a1b9a; } .PATCH { background: #ef6c00; } .DELETE { background: #c62828; }
  .path { font-family: monospace; } .roles { color: #5b6470; margin-left: auto; font-size: 12px; }
  .body { padding: 8px 12px 12px; border-top: 1px solid #eef0f3; }
  pre, textarea { font: 12px monospace; background: #f3f4f6; padding: 8px; border-radius: 4px; overflow: auto; }
  textarea { width: 100%; min-height: 90px; box-sizing: border-box; border: 1px solid #d9dde3; }
  label { display: block; margin: 4px 0; } label input { margin-left: 6px; }
  button { padding: 4px 12px; }
</style>
</head>
<body>
<header><h1>Leeway admin API</h1><label style="color:#fff">Bearer token <input id="token" type="password" autocomplete="off"></label></header>
<main><p id="intro">Loading <a href="/openapi.json">/openapi.json</a>…</p><div id="ops"></div></main>
<script>
(function () {
  var tokenInput = document.getElementById('token');
  tokenInput.value = sessionStorage.getItem('leewayAdminToken') || '';
  tokenInput.addEventListener('change', function () { sessionStorage.setItem('leewayAdminToken', tokenInput.value); });
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  fetch('/openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
    document.getElementById('intro').textContent = doc.info.description;
    var ops = document.getElementById('ops');
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var d = el('details');
        var s = el('summary');
        s.appendChild(el('span', { class: 'm ' + method.toUpperCase() }, method.toUpperCase()));
        s.appendChild(el('span', { class: 'path' }, path));
        s.appendChild(el('span', {}, op.summary));
        s.appendChild(el('span', { class: 'roles' }, (op['x-leeway-roles'] || ['public']).join(', ')));
        d.appendChild(s);
        var b = el('div', { class: 'body' });
        b.appendChild(el('p', {}, op.description || ''));
        var inputs = {};
        (op.parameters || []).forEach(function (p) {
          var l = el('label', {}, p.in + ' ' + p.name + (p.required ? ' *' : ''));
          var i = el('input', { type: 'text' });
          inputs[p.in + ':' + p.name] = i;
          l.appendChild(i);
          b.appendChild(l);
        });
        var body = null;
        if (op.requestBody) {
          b.appendChild(el('div', {}, 'Body schema'));
          b.appendChild(el('pre', {}, JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)));
          body = el('textarea', {}, '{}');
          b.appendChild(body);
        }
        var send = el('button', {}, 'Send');
        var out = el('pre', {}, '');
        send.addEventListener('click', function () {
          var url = path.replace(/\\{(\\w+)\\}/g, function (_, n) { return encodeURIComponent((inputs['path:' + n] || {}).value || ''); });
          var qs = [];
          (op.parameters || []).forEach(function (p) {
            var v = inputs[p.in + ':' + p.name].value;
            if (p.in === 'query' && v) qs.push(encodeURIComponent(p.name) + '=' + encodeURIComponent(v));
          });
          if (qs.length) url += '?' + qs.join('&');
          var headers = { authorization: 'Bearer ' + tokenInput.value };
          if (body) headers['content-type'] = 'application/json';
          fetch(url, { method: method.toUpperCase(), headers: headers, body: body ? body.value : undefined })
            .then(function (r) { return r.text().then(function (t) { out.textContent = r.status + '\\n' + t; }); })
            .catch(function (e) { out.textContent = String(e); });
        });
        b.appendChild(send);
        b.appendChild(out);
        d.appendChild(b);
        ops.appendChild(d);
      });
    });
  });
})();
</script>
</body>
</html>
`;

// Uploads that go to the JSON API (spreadsheet import, evidence): the same endpoint, and so the same
// messages, as API users get. The form works with the keyboard like any other; results are announced.
(function () {
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  document.querySelectorAll('form[data-api-upload]').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      var file = form.querySelector('input[type=file]');
      // The API takes one file; several (photos) go to the page itself, which stores them together or not at all.
      if (file.files.length > 1) return;
      ev.preventDefault();
      var out = document.getElementById(form.dataset.result);
      var url = form.dataset.apiUpload;
      var submit = form.querySelector('input[name=submit]');
      if (submit) url += (url.indexOf('?') < 0 ? '?' : '&') + 'submit=' + (submit.checked ? 'true' : 'false');
      var item = form.querySelector('select[name=itemCode]');
      if (item && item.value) url += (url.indexOf('?') < 0 ? '?' : '&') + 'itemCode=' + encodeURIComponent(item.value);
      out.replaceChildren(el('p', '正在上传，请稍候……', 'notice'));
      var data = new FormData();
      if (!file.files.length) { out.replaceChildren(el('p', '请先选择文件。', 'error')); file.focus(); return; }
      data.append('file', file.files[0]);
      var response, body = {};
      try {
        response = await fetch(url, { method: 'POST', body: data, credentials: 'same-origin' });
        try { body = await response.json(); } catch (e) { body = {}; }
      } catch (e) { out.replaceChildren(el('p', '网络错误，未能上传：' + e, 'error')); return; }
      var box = el('div', null, response.ok ? 'ok' : 'error');
      box.setAttribute('tabindex', '-1');
      box.appendChild(el('p', body.title || (response.ok ? '上传成功' : '上传失败（' + response.status + '）')));
      if (body.problems && body.problems.length) {
        var table = el('table'); table.className = 'problems';
        var head = el('tr'); ['单元格', '行', '村（社区）', '问题'].forEach(function (h) { head.appendChild(el('th', h)); });
        table.appendChild(head);
        body.problems.forEach(function (p) {
          var tr = el('tr');
          [p.cell || '', p.row || '', p.villageName || '', p.message || ''].forEach(function (v) { tr.appendChild(el('td', String(v))); });
          table.appendChild(tr);
        });
        box.appendChild(table);
      }
      out.replaceChildren(box);
      box.focus();
      if (response.ok && form.dataset.reload) setTimeout(function () { location.reload(); }, 1200);
    });
  });
})();

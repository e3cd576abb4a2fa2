// Progressive enhancement only: every page works without JavaScript. No inline script anywhere (CSP-friendly).
(function () {
  // Irreversible steps ask first (submit, publish, return, open a correction): a button with data-confirm, or a
  // form with data-confirm-when="<checkbox id>" when that box is ticked. Without JavaScript the step simply happens.
  document.addEventListener('click', function (ev) {
    // An empty data-confirm asks nothing (a blank dialog helps no one).
    var button = ev.target.closest && ev.target.closest('button[data-confirm]');
    if (!button || !button.dataset.confirm.trim()) return;
    // A form with a required field left empty says so first; the question comes when there is something to confirm.
    if (button.form && !button.formNoValidate && !button.form.checkValidity()) return;
    if (!window.confirm(button.dataset.confirm)) ev.preventDefault();
  });
  // A table wider than its box gets a visible hint (.scrollable, see site.css) instead of a silent sideways scroll.
  var markScrollable = function () {
    document.querySelectorAll('.table-wrap').forEach(function (w) { w.classList.toggle('scrollable', w.scrollWidth > w.clientWidth + 2); });
  };
  markScrollable();
  window.addEventListener('resize', markScrollable);
  // A GET form marked data-reset-on-show shows what the page's address asked for, also when the browser's Back button
  // restores the page with what was picked afterwards (the server marked the address's choices as the defaults).
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-reset-on-show]').forEach(function (form) { form.reset(); });
  });
  document.querySelectorAll('form[data-confirm-when]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      var box = document.getElementById(form.dataset.confirmWhen);
      if (box && box.checked && !window.confirm(form.dataset.confirmText)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
    });
  });

  // The sheet form's running score: the form as it stands goes to the server's engine (POST /api/sheet-preview);
  // no scoring rule lives here. Wrong fields are answered next to the field as soon as they are left.
  var sheet = document.getElementById('sheet-form');
  var running = document.getElementById('running-score');
  if (sheet && running && running.dataset.preview && !sheet.querySelector('[disabled]')) {
    var timer = null, seq = 0;
    var show = function (answer) {
      var total = answer.total === null || answer.total === undefined ? '—' : String(answer.total);
      var label = (sheet.querySelector('input[name=kind]') || {}).value === 'District' ? '抽查得分' : '自评得分';
      var note = answer.complete ? '已全部填写' : (answer.problems.length ? ('有' + answer.problems.length + '处需修改') : ('还有' + answer.missing.length + '项未填（暂按不扣分计）'));
      running.replaceChildren();
      var a = document.createElement('span'); a.append(label + '：'); var strong = document.createElement('strong'); strong.id = 'running-total'; strong.textContent = total; a.append(strong, '分');
      var b = document.createElement('span'); b.className = 'small'; b.id = 'running-missing'; b.textContent = note;
      running.append(a, b);
      // 提交 asks "确定提交吗？" only when the engine says the sheet is complete: a sheet that cannot be submitted is
      // answered by the server (the draft saved, what is missing listed), not by a question about an irreversible step.
      var submit = document.getElementById('submit-sheet');
      if (submit && submit.dataset.confirmComplete) {
        if (answer.complete) submit.dataset.confirm = submit.dataset.confirmComplete; else submit.removeAttribute('data-confirm');
      }
      sheet.querySelectorAll('.item .problem').forEach(function (p) { if (p.dataset.live) { p.textContent = ''; delete p.dataset.live; } });
      answer.problems.forEach(function (p) {
        var box = p.code && document.getElementById('err-' + p.code);
        if (box && !box.textContent) { box.textContent = p.message.replace(/\s*\([\x20-\x7E]*[A-Za-z][\x20-\x7E]*\)\s*$/, ''); box.dataset.live = '1'; }
      });
    };
    var update = function () {
      var mine = ++seq;
      var fields = new FormData(sheet);
      fields.delete('file'); // the chosen photos belong to 上传照片, not to the running score
      fetch(running.dataset.preview, { method: 'POST', body: fields, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) { if (answer && mine === seq) show(answer); })
        .catch(function () { /* the saved score stays shown */ });
    };
    var later = function () {
      clearTimeout(timer); timer = setTimeout(update, 350);
      // Until the engine has answered for what was just typed, 提交 asks as it always did.
      var submit = document.getElementById('submit-sheet');
      if (submit && submit.dataset.confirmComplete) submit.dataset.confirm = submit.dataset.confirmComplete;
    };
    sheet.addEventListener('input', later);
    sheet.addEventListener('change', later);
  }
})();
// Proctoring: per proctored camera its exam session (start, stop), the training page of the
// reference method (capture the seats, label each snapshot normal or suspicious by click or key,
// the 10-fold cross-validation for the labels so far and for each k, save the classifier, the
// samples as one archive) and the sessions' reports. docs/proctoring.md has the method.
import { ApiError, api, send } from '../lib/api.js';
import { $, esc, percent, plural, showError } from '../lib/dom.js';

/** 10-fold cross-validation needs a sample in every fold (as the server's training does). */
const MIN_LABELLED = 10;
/** Of each label (the server's rule: with one, the k nearest could never vote for it). */
const MIN_PER_LABEL = 2;
const KEYS_HELP = 'N normal · S suspicious · ← → move · U undo · C capture';

function linkStyle() {
  if ($('link[data-page="proctor"]', document.head)) return;
  document.head.insertAdjacentHTML('beforeend', '<link rel="stylesheet" href="ui/pages/proctor.css" data-page="proctor">');
}

async function mount(root, ctx) {
  linkStyle();
  root.innerHTML = `
    <section aria-labelledby="pr-sessions-h"><h2 id="pr-sessions-h">Exam sessions</h2><div id="pr-cameras" class="grid"><p class="muted">Loading…</p></div></section>
    <section aria-labelledby="pr-train-h" id="pr-train">
      <h2 id="pr-train-h">Training</h2>
      <div class="row">
        <label>Camera <select id="pr-camera"></select></label>
        <button type="button" id="pr-capture">Capture seats now</button>
        <button type="button" id="pr-save" disabled>Save classifier</button>
        <a id="pr-export" href="api/proctor/archive" download>Export samples</a>
        <label class="pr-import">Import samples <input type="file" id="pr-import" accept="application/json,.json"></label>
      </div>
      <p id="pr-train-status" role="status" class="muted"></p>
      <div class="pr-labelling">
        <div id="pr-current" class="card" tabindex="-1"></div>
        <div>
          <p class="muted" id="pr-keys">${KEYS_HELP}</p>
          <div id="pr-samples" class="pr-strip" role="list" aria-label="samples"></div>
          <div id="pr-cv" aria-live="polite"></div>
        </div>
      </div>
    </section>
    <section aria-labelledby="pr-reports-h"><h2 id="pr-reports-h">Reports</h2><div id="pr-reports"><p class="muted">Loading…</p></div></section>`;

  const state = { cameras: [], cards: '', camera: ctx.query.get('camera') || '', samples: [], index: 0, undo: [], cvTimer: 0 };
  const status = $('#pr-train-status', root);
  const say = (text, bad = false) => {
    status.textContent = text;
    status.className = bad ? 'error' : 'muted';
  };

  // ---- sessions ----
  const cameraBox = $('#pr-cameras', root);
  const loadCameras = async () => {
    try {
      state.cameras = await api('api/proctor/cameras');
    } catch (err) {
      showError(cameraBox, err);
      state.cards = '';
      return;
    }
    if (state.cameras.length === 0) {
      cameraBox.innerHTML = '<p class="muted">No camera is proctored: set <code>cameras.&lt;name&gt;.analyzers.proctor.enabled: true</code> (docs/proctoring.md).</p>';
      $('#pr-train', root).hidden = true;
      return;
    }
    // Redrawn only when something changed, so a session name being typed is not wiped by the refresh.
    const cards = state.cameras.map(cameraCard).join('');
    if (cards !== state.cards) {
      state.cards = cards;
      cameraBox.innerHTML = cards;
    }
    const select = $('#pr-camera', root);
    if (!state.cameras.some((c) => c.camera === state.camera)) state.camera = state.cameras[0].camera;
    if (select.options.length !== state.cameras.length) {
      select.innerHTML = state.cameras.map((c) => `<option value="${esc(c.camera)}">${esc(c.camera)}</option>`).join('');
    }
    select.value = state.camera;
  };
  cameraBox.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const action = e.submitter?.value ?? 'start';
    const out = $('.pr-session-msg', form);
    out.className = 'pr-session-msg';
    out.textContent = action === 'start' ? 'Starting…' : 'Stopping…';
    try {
      const name = form.elements.name?.value || undefined;
      await send('POST', 'api/proctor/sessions', { camera: form.dataset.camera, action, name });
      out.textContent = '';
    } catch (err) {
      out.className = 'pr-session-msg error';
      out.textContent = err.message;
      return;
    }
    await loadCameras();
    loadReports();
  });

  // ---- training ----
  const strip = $('#pr-samples', root);
  const current = $('#pr-current', root);
  const loadSamples = async () => {
    if (!state.camera) return;
    $('#pr-export', root).href = `api/proctor/archive?camera=${encodeURIComponent(state.camera)}`;
    try {
      state.samples = await api(`api/proctor/samples?camera=${encodeURIComponent(state.camera)}`);
    } catch (err) {
      say(err.message, true);
      return;
    }
    state.index = Math.min(state.index, Math.max(0, state.samples.length - 1));
    drawSamples();
    evaluate();
  };
  const drawSamples = () => {
    strip.innerHTML = state.samples.map((s, i) => thumb(s, i, i === state.index)).join('');
    const s = state.samples[state.index];
    current.innerHTML = s
      ? `<img src="api/proctor/${esc(s.crop_url)}" alt="seat ${esc(s.seat)} at ${esc(s.time)}">
         <p><b>Seat ${esc(s.seat)}</b> · sample ${state.index + 1} of ${state.samples.length} · <span class="pr-label" data-label="${esc(s.label ?? '')}">${esc(s.label ?? 'unlabelled')}</span></p>
         <div class="row"><button type="button" data-set="normal">Normal (N)</button><button type="button" data-set="suspicious">Suspicious (S)</button>
         <button type="button" data-set="delete" class="pr-delete">Delete</button></div>`
      : '<p class="muted">No samples yet. Start a session, let the camera see the seats empty once, then capture them while candidates sit in them.</p>';
    strip.querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };
  const setLabel = async (label, remember = true) => {
    const s = state.samples[state.index];
    if (!s) return;
    try {
      const updated = await send('PATCH', `api/proctor/samples/${s.id}`, { label });
      if (remember) state.undo.push({ id: s.id, label: s.label, index: state.index });
      state.samples[state.index] = updated;
      if (remember && state.index < state.samples.length - 1) state.index++;
      drawSamples();
      say(`Sample ${s.id} is ${label ?? 'unlabelled'}.`);
      evaluateSoon();
    } catch (err) {
      say(err.message, true);
    }
  };
  const undo = async () => {
    const last = state.undo.pop();
    if (!last) return say('Nothing to undo.');
    const i = state.samples.findIndex((s) => s.id === last.id);
    if (i < 0) return say('That sample is gone.', true);
    state.index = i;
    await setLabel(last.label, false);
  };
  const remove = async () => {
    const s = state.samples[state.index];
    if (!s) return;
    // Beside the label buttons, one slip on a phone lost a sample and its picture for good (U undoes labels only).
    if (!confirm(`Delete this sample of seat ${s.seat} and its picture? This cannot be undone.`)) return;
    try {
      await api(`api/proctor/samples/${s.id}`, { method: 'DELETE' });
      state.samples.splice(state.index, 1);
      state.index = Math.min(state.index, Math.max(0, state.samples.length - 1));
      drawSamples();
      evaluateSoon();
    } catch (err) {
      say(err.message, true);
    }
  };
  const move = (by) => {
    if (state.samples.length === 0) return;
    state.index = Math.max(0, Math.min(state.samples.length - 1, state.index + by));
    drawSamples();
  };
  const capture = async () => {
    say('Capturing…');
    try {
      const { samples, refused } = await send('POST', 'api/proctor/captures', { camera: state.camera });
      const why = refused.map((r) => r.error).join('; ');
      say(samples.length ? `Captured ${plural(samples.length, 'seat')}.${why ? ` Not captured: ${why}.` : ''}` : `Nothing captured: ${why}.`, samples.length === 0);
      const first = state.samples.length;
      await loadSamples();
      if (samples.length) {
        state.index = first;
        drawSamples();
      }
    } catch (err) {
      say(err.message, true);
    }
  };

  const cvBox = $('#pr-cv', root);
  const evaluateSoon = () => {
    clearTimeout(state.cvTimer);
    state.cvTimer = setTimeout(evaluate, 300);
  };
  const evaluate = async () => {
    const save = $('#pr-save', root);
    // The server refuses fewer (409 too_few_samples); say what is missing without asking it.
    const normal = state.samples.filter((s) => s.label === 'normal').length;
    const suspicious = state.samples.filter((s) => s.label === 'suspicious').length;
    if (normal + suspicious < MIN_LABELLED || normal < MIN_PER_LABEL || suspicious < MIN_PER_LABEL) {
      save.disabled = true;
      cvBox.innerHTML = `<p class="muted" id="pr-cv-need">Cross-validation needs at least ${MIN_LABELLED} labelled samples in all, at least ${MIN_PER_LABEL} of each label: ${normal} normal and ${suspicious} suspicious so far.</p>`;
      return;
    }
    try {
      cvBox.innerHTML = '<p class="muted">Cross-validating…</p>';
      const report = await send('POST', 'api/proctor/evaluate', { camera: state.camera });
      cvBox.innerHTML = cvTable(report, state.cameras.find((c) => c.camera === state.camera)?.classifier);
      save.disabled = (report.recall?.suspicious ?? 0) === 0;
    } catch (err) {
      save.disabled = true;
      cvBox.innerHTML =
        err instanceof ApiError && err.code === 'too_few_samples' ? `<p class="muted">${esc(err.message)}.</p>` : `<p class="error" role="alert">${esc(err.message)}</p>`;
    }
  };
  const saveClassifier = async () => {
    try {
      const r = await send('POST', 'api/proctor/train', { camera: state.camera });
      say(`Saved: k = ${r.k}, ${percent(r.accuracy)} in ${r.folds}-fold cross-validation over ${plural(r.samples, 'sample')}. The live suspicious cue now votes with it.`);
      await loadCameras();
      evaluate();
    } catch (err) {
      say(err.message, true);
    }
  };
  const importArchive = async (file) => {
    say(`Importing ${file.name}…`);
    try {
      const text = await file.text();
      const r = await api('api/proctor/archive', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      say(
        `Imported ${plural(r.samples, 'sample')} and ${plural(r.classifiers, 'classifier')}${r.already_here ? ` (${plural(r.already_here, 'sample')} already here, left out)` : ''}.`,
      );
      await loadCameras();
      loadSamples();
    } catch (err) {
      say(`${file.name}: ${err.message}`, true);
    }
  };

  $('#pr-camera', root).addEventListener('change', (e) => {
    state.camera = e.target.value;
    state.index = 0;
    state.undo = [];
    loadSamples();
  });
  $('#pr-capture', root).addEventListener('click', capture);
  $('#pr-save', root).addEventListener('click', saveClassifier);
  $('#pr-import', root).addEventListener('change', (e) => e.target.files[0] && importArchive(e.target.files[0]));
  current.addEventListener('click', (e) => {
    const action = e.target.dataset?.set;
    if (action === 'delete') remove();
    else if (action) setLabel(action);
  });
  strip.addEventListener('click', (e) => {
    const i = e.target.closest('[data-index]')?.dataset.index;
    if (i === undefined) return;
    state.index = Number(i);
    drawSamples();
  });
  const keys = (e) => {
    if (e.target.closest?.('input, select, textarea') || e.ctrlKey || e.metaKey || e.altKey) return;
    const act = { n: () => setLabel('normal'), s: () => setLabel('suspicious'), u: undo, c: capture, ArrowLeft: () => move(-1), ArrowRight: () => move(1) }[
      e.key.length === 1 ? e.key.toLowerCase() : e.key
    ];
    if (!act) return;
    e.preventDefault();
    act();
  };
  document.addEventListener('keydown', keys);

  // ---- reports ----
  const reportBox = $('#pr-reports', root);
  const loadReports = async () => {
    try {
      const sessions = await api('api/proctor/sessions');
      reportBox.innerHTML = sessions.length ? reportTable(sessions) : '<p class="muted">No session yet.</p>';
    } catch (err) {
      showError(reportBox, err);
    }
  };

  await loadCameras();
  loadSamples();
  loadReports();
  ctx.every(5000, async () => {
    await loadCameras();
    loadReports();
  });
  return () => {
    document.removeEventListener('keydown', keys);
    clearTimeout(state.cvTimer);
  };
}

const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');

function cameraCard(c) {
  const s = c.session;
  const classifier = c.classifier ? `classifier k = ${c.classifier.k} on ${plural(c.classifier.samples, 'sample')}` : 'no classifier saved';
  return `<form class="card pr-camera" data-camera="${esc(c.camera)}" aria-label="camera ${esc(c.camera)}">
    <h3>${esc(c.camera)}</h3>
    <p class="pr-state" data-running="${s ? 'yes' : 'no'}">${s ? `Exam running since ${esc(time(s.started_at))}${s.name ? ` · ${esc(s.name)}` : ''}` : 'No exam running'}</p>
    <p class="muted">${plural(c.seats.length, 'seat')}: ${c.seats.map(esc).join(', ')} · ${esc(classifier)}</p>
    <div class="row">${
      s
        ? '<button type="submit" value="stop">Stop session</button>'
        : '<input name="name" aria-label="session name" placeholder="session name (optional)" maxlength="200"><button type="submit" value="start">Start session</button>'
    }<span class="pr-session-msg" role="status"></span></div>
  </form>`;
}

const thumb = (s, i, current) =>
  `<button type="button" role="listitem" class="pr-thumb" data-index="${i}" data-label="${esc(s.label ?? '')}" ${current ? 'aria-current="true"' : ''} title="seat ${esc(s.seat)}: ${esc(s.label ?? 'unlabelled')}">
    <img src="api/proctor/${esc(s.crop_url)}" alt="sample ${i + 1}" loading="lazy"><span>${esc(s.label?.[0]?.toUpperCase() ?? '?')}</span></button>`;

function cvTable(r, saved) {
  const matrix = `<table class="pr-confusion"><caption>Confusion at k = ${r.k} (rows: labelled, columns: predicted)</caption>
    <tr><th></th>${r.labels.map((l) => `<th scope="col">${esc(l)}</th>`).join('')}</tr>
    ${r.confusion.map((row, i) => `<tr><th scope="row">${esc(r.labels[i])}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`).join('')}</table>`;
  const perK = `<table class="pr-per-k"><caption>Accuracy for each k (${r.folds}-fold)</caption>
    <tr><th scope="col">k</th><th scope="col">accuracy</th><th scope="col">folds (lowest–highest)</th><th scope="col">confusion</th></tr>
    ${r.per_k
      .map(
        (p) =>
          `<tr${p.k === r.k ? ' class="pr-best"' : ''}><td>${p.k}</td><td>${(p.accuracy * 100).toFixed(1)} %</td><td>${(Math.min(...p.foldAccuracies) * 100).toFixed(0)}–${(
            Math.max(...p.foldAccuracies) * 100
          ).toFixed(0)} %</td><td>${esc(JSON.stringify(p.confusion))}</td></tr>`,
      )
      .join('')}</table>`;
  // Most samples are normal: the suspicious ones found say more than the accuracy.
  const found = Math.round((r.recall?.suspicious ?? 0) * r.counts.suspicious);
  const warn = found === 0 ? ' <span class="error">It never found a suspicious one: label more suspicious samples before saving.</span>' : '';
  return `<p id="pr-accuracy"><b>${(r.accuracy * 100).toFixed(1)} %</b> ${r.folds}-fold cross-validated accuracy with k = ${r.k}, over ${plural(r.samples, 'labelled sample')} (${r.counts.normal} normal, ${r.counts.suspicious} suspicious); it found <b>${found} of ${r.counts.suspicious}</b> suspicious samples and ${Math.round((r.recall?.normal ?? 0) * r.counts.normal)} of ${r.counts.normal} normal ones.${warn} ${saved ? `Saved classifier: k = ${saved.k}, ${plural(saved.samples, 'sample')}, ${esc(time(saved.trained_at))}.` : 'Not saved yet.'}</p>
    <div class="pr-tables">${matrix}${perK}</div>`;
}

function reportTable(sessions) {
  const rows = sessions
    .map((s) => {
      const base = `api/proctor/sessions/${encodeURIComponent(s.id)}/report`;
      return `<tr><td>${esc(s.camera)}</td><td>${esc(s.name || '—')}</td><td>${esc(time(s.started_at))}</td><td>${s.ended_at ? esc(time(s.ended_at)) : '<b>running</b>'}</td>
        <td><a href="${base}.html" target="_blank" rel="noopener">HTML</a> · <a href="${base}.html?pictures=embed" download="exam-${esc(s.id)}.html" title="one file with the pictures in it, to keep: its links expire">to keep</a> · <a href="${base}.csv" download>CSV</a> · <a href="${base}.json" target="_blank" rel="noopener">JSON</a></td></tr>`;
    })
    .join('');
  return `<div class="pr-scroll"><table class="pr-reports"><tr><th scope="col">camera</th><th scope="col">session</th><th scope="col">started</th><th scope="col">ended</th><th scope="col">report</th></tr>${rows}</table></div>`;
}

export default { id: 'proctor', title: 'Proctoring', mount };

// Analyze: several photos at once (each with its progress and its result: boxes, names with
// similarity, pose skeletons, percentages) and short videos (a frame every so often, shown as a
// timeline of what was found). A refused file says why: its type, or its size against the limit.
import { ApiError, api, upload } from '../lib/api.js';
import { $, esc, percent, plural } from '../lib/dom.js';
import { stylesheet } from '../lib/stylesheet.js';

const COLOURS = { object: '#2f9e44', person: '#2f9e44', weapon: '#e03131', candidate: '#868e96', face: '#f59f00', known: '#1c7ed6', pose: '#ae3ec9' };
/** A weapon's score as the weapon analyzer gives it (raised at a wrist: `markWeapons`), else the detector's. */
const shownScore = (o) => o.weapon?.score ?? o.score;
/**
 * Which labels are weapons and the score each raises a weapon event at (`analyzers.weapon`, read
 * from the config): a photo shows the same line live analysis draws. Until it is read, the
 * defaults of src/analyzers/weapon/config.ts.
 */
const DEFAULT_WEAPONS = { labels: ['pistol', 'knife'], min_score: 0.5, thresholds: { pistol: 0.5, knife: 0.6 } };
const weaponRule = (w = DEFAULT_WEAPONS) => {
  const labels = new Set(w.labels);
  const threshold = (label) => (labels.has(label) ? (w.thresholds?.[label] ?? w.min_score) : null);
  // A weapon at a person's wrist counts at its raised score (`markWeapons`).
  return { threshold, over: (o) => threshold(o.label) !== null && shownScore(o) >= threshold(o.label) };
};

/**
 * Each weapon object of an answer with the server's word on it (`weapons`: its score raised at a
 * person's wrist as a camera raises it, "armed person"), matched by label and box.
 */
function markWeapons(r) {
  for (const o of r.objects) o.weapon = r.weapons?.find((w) => w.label === o.label && w.box.every((v, i) => v === o.box[i]));
  return r;
}

/** Bones between named keypoints; MoveNet's 17 and BlazePose's 33 share these names. */
const BONES = [
  ['left_shoulder', 'right_shoulder'],
  ['left_shoulder', 'left_elbow'],
  ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'],
  ['right_elbow', 'right_wrist'],
  ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'],
  ['left_hip', 'right_hip'],
  ['left_hip', 'left_knee'],
  ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'],
  ['right_knee', 'right_ankle'],
  ['nose', 'left_eye'],
  ['nose', 'right_eye'],
  ['left_eye', 'left_ear'],
  ['right_eye', 'right_ear'],
];
/** A keypoint is drawn and counted from `analyzers.pose.min_keypoint_score`'s default, as `argus analyze` counts it. */
const KEYPOINT_MIN = 0.5;
const VIDEO_TYPES = /^video\//;
const VIDEO_NAMES = /\.(mp4|mkv|mov|avi|webm|m4v|ts|mpg|mpeg|flv)$/i;
/** The clip route's limit (src/server/routes/analyze-clip.ts). */
const CLIP_MB = 50;
/** At most this many uploads run at once; the rest wait their turn (the server's work budget admits a few). */
const PARALLEL = 3;

/** A file's size as a person reads it: 19 kB, 4.2 MB (a small photo read "0.0 MB"). */
const mb = (bytes) => (bytes === 0 ? 'empty' : bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** Persons the object detector had no box for: a face gave them (the server counts people as live analysis does). */
const given = (r) => r.persons.filter((p) => p.from !== 'objects');
const GIVEN = { face: '(from a face)', body: "(from a face, the body's box)" };

/**
 * Draws boxes, labels and skeletons over an image on a canvas (on grey where the browser cannot
 * draw the image: a TIFF in Chromium); `scale` maps result pixels to canvas pixels. `shownWidth`:
 * the canvas' width on screen, so labels stay readable where a large photo is shrunk to a phone.
 */
function drawFindings(canvas, image, r, weapons, scale = 1, shownWidth = canvas.width) {
  const g = canvas.getContext('2d');
  if (image) g.drawImage(image, 0, 0, canvas.width, canvas.height);
  else {
    g.fillStyle = '#777';
    g.fillRect(0, 0, canvas.width, canvas.height);
  }
  const line = Math.max(1.5, canvas.width / 400);
  g.lineWidth = line;
  // at least 12 px as shown (a 1920-px photo on a 320-px phone drew 5-px labels)
  const shrink = canvas.width / Math.max(1, Math.min(shownWidth, canvas.width));
  const font = Math.max(11, canvas.width / 55, 12 * shrink);
  g.font = `${font}px system-ui, sans-serif`;
  const box = (b, colour, text, dashed = false) => {
    const [x1, y1, x2, y2] = b.map((v) => v * scale);
    g.strokeStyle = colour;
    g.setLineDash(dashed ? [line * 3, line * 2] : []);
    g.strokeRect(x1, y1, x2 - x1, y2 - y1);
    g.setLineDash([]);
    if (!text) return;
    const w = g.measureText(text).width + 6;
    const h = Math.max(14, canvas.width / 45, font * 1.3);
    const top = labelTop(placed, x1, y1, y2, w, h, canvas.height);
    placed.push([x1, top, x1 + w, top + h]);
    g.fillStyle = colour;
    g.fillRect(x1, top, w, h);
    g.fillStyle = '#fff';
    g.fillText(text, x1 + 3, top + h - 4);
  };
  /** Labels drawn so far: a label goes where it covers none of them (two boxes on one moon printed "frisbee 42% 5%"). */
  const placed = [];
  for (const p of r.poses) drawPose(g, p, scale, line);
  // The surest last, so its box and caption lie on top; a weapon under its threshold dashed and grey.
  for (const o of [...r.objects].sort((a, b) => a.score - b.score)) {
    const candidate = weapons.threshold(o.label) !== null && !weapons.over(o);
    const colour = weapons.over(o) ? COLOURS.weapon : candidate ? COLOURS.candidate : (COLOURS[o.label] ?? COLOURS.object);
    box(o.box, colour, `${o.label}${candidate ? '?' : ''} ${percent(shownScore(o))}${o.weapon?.armed_person ? ' held' : ''}`, candidate);
  }
  for (const p of given(r)) box(p.box, COLOURS.person, `person ${GIVEN[p.from]}`);
  for (const f of r.faces) box(f.box, f.name ? COLOURS.known : COLOURS.face, f.name ? `${f.name} (${percent(f.similarity)} similar)` : `face ${percent(f.score)}`);
}

/**
 * Where a label of `w` × `h` goes for a box from `y1` to `y2` at `x`: above the box, else inside its
 * top, below it, inside its bottom, then stepping down from the top; the first that overlaps no
 * label already drawn and stays on the picture (the first that stays on it when none is free).
 */
export function labelTop(placed, x, y1, y2, w, h, height) {
  const tries = [y1 - h, y1, y2, y2 - h, ...Array.from({ length: 8 }, (_, i) => y1 + h * (i + 1))].filter((t) => t >= 0 && t + h <= height);
  const free = tries.find((t) => !placed.some(([a, b, c, d]) => x < c && x + w > a && t < d && t + h > b));
  return free ?? tries[0] ?? Math.max(0, Math.min(y1, height - h));
}

/** A pose's skeleton: its bones and the keypoints seen. */
function drawPose(g, p, scale, line) {
  const at = new Map(p.keypoints.filter((k) => k.score >= KEYPOINT_MIN).map((k) => [k.name, k]));
  g.strokeStyle = COLOURS.pose;
  g.lineWidth = line * 1.5;
  for (const [a, b] of BONES) {
    if (!at.has(a) || !at.has(b)) continue;
    g.beginPath();
    g.moveTo(at.get(a).x * scale, at.get(a).y * scale);
    g.lineTo(at.get(b).x * scale, at.get(b).y * scale);
    g.stroke();
  }
  g.fillStyle = COLOURS.pose;
  for (const k of at.values()) {
    g.beginPath();
    g.arc(k.x * scale, k.y * scale, line * 1.8, 0, Math.PI * 2);
    g.fill();
  }
  g.lineWidth = line;
}

/** An object in words: a weapon says whether it reaches the score that raises a weapon event. */
function objectWords(o, weapons) {
  const threshold = weapons.threshold(o.label);
  if (threshold === null) return `${o.label} ${percent(o.score)}`;
  const held = o.weapon?.armed_person ? ` at a person's wrist (armed person; the detector alone ${percent(o.weapon.detector_score)})` : '';
  return weapons.over(o)
    ? `weapon: ${o.label} ${percent(shownScore(o))}${held} (an alert from ${percent(threshold)})`
    : `${o.label}? ${percent(shownScore(o))}${held}, under the ${percent(threshold)} that raises an alert`;
}

/** What a photo holds, as list items a screen reader reads too: weapons that would alert first. */
function findings(r, weapons) {
  const objects = [...r.objects].sort((a, b) => Number(weapons.over(b)) - Number(weapons.over(a)));
  const items = [
    ...objects.map((o) => objectWords(o, weapons)),
    ...given(r).map((p) => `person ${GIVEN[p.from]}, ${percent(p.score)} face confidence`),
    // faces from the left, as one reads the picture
    ...[...r.faces]
      .sort((a, b) => a.box[0] - b.box[0])
      .map((f) => (f.name ? `face: ${f.name} (${percent(f.similarity)} similar), ${percent(f.score)} confidence` : `face: unknown, ${percent(f.score)} confidence`)),
    ...r.poses.map((p) => `pose: ${percent(p.score)} confidence, ${p.keypoints.filter((k) => k.score >= KEYPOINT_MIN).length} of ${p.keypoints.length} keypoints seen`),
  ];
  return items.length ? items.map((t) => `<li>${esc(t)}</li>`).join('') : '<li>Nothing found.</li>';
}

function card(file, index) {
  return `<article class="result" data-file="${esc(file.name)}" data-index="${index}" aria-busy="true">
    <h3>${esc(file.name)} <span class="muted">(${mb(file.size)})</span></h3>
    <progress max="1" value="0" aria-label="progress of ${esc(file.name)}"></progress>
    <p class="state muted" role="status">Waiting…</p>
    <div class="out"></div>
  </article>`;
}

function refuse(el, message) {
  el.classList.add('refused');
  el.dataset.state = 'refused';
  el.removeAttribute('aria-busy');
  $('progress', el).hidden = true;
  const state = $('.state', el);
  state.className = 'state error';
  state.setAttribute('role', 'alert');
  state.textContent = message;
}

/** An image, or a file of no type the browser knows (no extension: '' or octet-stream), which the server then reads. */
const isPhoto = (file) => file.type.startsWith('image/') || file.type === '' || file.type === 'application/octet-stream';

/** Times a photo is sent again when Argus answers busy (its cameras first), each after the wait it asks. */
const BUSY_TRIES = 4;

/**
 * `send()` again while Argus says it is busy (503 `busy`, with the seconds to wait): a batch of
 * photos behind live cameras left one card at "Argus is busy … try again in 13 s" with no way to.
 */
async function whenFree(send, state) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const wait = Number(err.body?.retry_after);
      if (err.code !== 'busy' || attempt >= BUSY_TRIES || !(wait > 0)) throw err;
      state.textContent = `Argus is busy with its cameras: trying again in ${wait} s (${attempt} of ${BUSY_TRIES - 1})…`;
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  }
}

async function analyzePhoto(el, file, weapons) {
  const state = $('.state', el);
  const form = new FormData();
  form.append('file', file);
  state.textContent = 'Uploading…';
  const progress = $('progress', el);
  const send = () =>
    upload('api/analyze', form, (f) => {
      progress.value = f;
      if (f >= 1) state.textContent = 'Analysing…';
    });
  const body = markWeapons(await whenFree(send, state));
  progress.value = 1;
  // The server reads more formats than a browser draws (TIFF): the findings count, the picture is a bonus.
  const image = await createImageBitmap(file).catch(() => null);
  const canvas = document.createElement('canvas');
  canvas.width = body.width;
  canvas.height = body.height;
  canvas.setAttribute('aria-label', `${file.name} with what was found drawn on it`);
  const out = $('.out', el);
  drawFindings(canvas, image, body, weapons, 1, out.clientWidth || canvas.width);
  if (!image) out.insertAdjacentHTML('beforeend', '<p class="muted">This browser cannot show this picture: what was found is drawn on grey.</p>');
  out.append(canvas);
  out.insertAdjacentHTML('beforeend', `<ul class="found">${findings(body, weapons)}</ul>`);
  const took = Object.entries(body.timings_ms)
    .map(([k, v]) => `${k} ${Math.round(v)} ms`)
    .join(', ');
  return `${plural(body.objects.length, 'object')}, ${plural(body.persons.length, 'person')}, ${plural(body.faces.length, 'face')}, ${plural(body.poses.length, 'pose')}${took ? ` (${took})` : ''}`;
}

/** A row of cells across the clip, each given the class `hit(frame)` returns (`hit`, `alert`, `maybe` or none): a track of the timeline. */
const track = (frames, hit) => `<div class="track">${frames.map((f) => `<span class="${hit(f) || ''}" title="${f.time_s} s"></span>`).join('')}</div>`;

/**
 * Uploads a clip and reads the answer as it streams (one JSON line per analysed frame):
 * `onUpload(fraction)` while it goes up, `onLine(object)` for each line. Rejects with ApiError.
 */
function uploadStreaming(path, form, onUpload, onLine) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/x-ndjson');
    let read = 0;
    const lines = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf('\n') + 1;
      for (const l of text.slice(read, end).split('\n')) if (l.trim()) onLine(JSON.parse(l));
      read = end;
    };
    xhr.upload.onprogress = (e) => e.lengthComputable && onUpload(e.loaded / e.total);
    xhr.onprogress = () => xhr.status >= 200 && xhr.status < 300 && lines();
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        lines();
        return resolve();
      }
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says it
      }
      reject(new ApiError(body.error || `${xhr.status} ${xhr.statusText}`, xhr.status, body.code));
    };
    xhr.onerror = () => reject(new ApiError('Argus could not be reached.', 0, 'network'));
    xhr.send(form);
  });
}

/** A frame of the timeline: its thumbnail with what was found drawn on it, and the same in words. */
async function timelineFrame(f, weapons) {
  const fig = document.createElement('figure');
  fig.setAttribute('role', 'listitem');
  fig.dataset.time = String(f.time_s);
  const img = new Image();
  img.src = f.thumbnail;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  drawFindings(canvas, img, f, weapons, img.naturalWidth / f.width);
  const said = [
    ...f.objects.map((o) =>
      weapons.over(o) ? `weapon: ${o.label} ${percent(shownScore(o))}` : `${o.label}${weapons.threshold(o.label) === null ? '' : '?'} ${percent(shownScore(o))}`,
    ),
    ...f.faces.map((x) => (x.name ? `${x.name} ${percent(x.similarity)}` : 'unknown face')),
    ...(f.poses.length ? [plural(f.poses.length, 'pose')] : []),
  ];
  fig.append(canvas);
  fig.insertAdjacentHTML('beforeend', `<figcaption><b>${f.time_s} s</b> ${esc(said.join(', ') || 'nothing')}</figcaption>`);
  return fig;
}

/**
 * One row per thing found (each label, named person, unknown faces, poses), lit where it was seen.
 * A weapon's cells are red where it reached its alert threshold and dashed where it was only a
 * candidate under it; a weapon row that never reached it is named with a `?`, as on the photo.
 */
function tracks(frames, weapons) {
  const names = [...new Set(frames.flatMap((f) => f.faces.map((x) => x.name).filter(Boolean)))];
  const labels = [...new Set(frames.flatMap((f) => f.objects.map((o) => o.label)))];
  const objectRow = (l) => {
    const of = (f) => f.objects.filter((o) => o.label === l);
    if (weapons.threshold(l) === null) return [l, (f) => of(f).length > 0 && 'hit'];
    const cell = (f) => (of(f).some((o) => weapons.over(o)) ? 'alert' : of(f).length > 0 && 'maybe');
    return [frames.some((f) => cell(f) === 'alert') ? l : `${l}?`, cell];
  };
  const rows = [
    ...labels.map(objectRow),
    ['unknown face', (f) => f.faces.some((x) => !x.name) && 'hit'],
    ...names.map((n) => [n, (f) => f.faces.some((x) => x.name === n) && 'hit']),
    ['pose', (f) => f.poses.length > 0 && 'hit'],
  ];
  return rows.map(([name, hit]) => `<dt>${esc(name)}</dt><dd>${track(frames, hit)}</dd>`).join('');
}

async function analyzeClip(el, file, every, weapons) {
  const state = $('.state', el);
  const progress = $('progress', el);
  const out = $('.out', el);
  const form = new FormData();
  form.append('every', String(every));
  form.append('file', file);
  state.textContent = 'Uploading…';
  const frames = [];
  let failure;
  // Frames arrive in order; each is drawn before the next (the thumbnails decode asynchronously).
  let drawn = Promise.resolve();
  await uploadStreaming(
    'api/analyze/clip',
    form,
    (f) => {
      progress.value = f;
      if (f >= 1) {
        state.textContent = 'Decoding the video…';
        progress.removeAttribute('value'); // indeterminate until the first frame is done
      }
    },
    (line) => {
      if (line.type === 'clip') {
        progress.max = line.expected_frames;
        progress.value = 0;
        state.textContent = `Analysing about ${plural(line.expected_frames, 'frame')}, one every ${line.every_s} s…`;
        out.innerHTML = `<p>${esc(line.duration_s.toFixed(1))} s, ${line.width}×${line.height} ${esc(line.codec)}: one frame every ${line.every_s} s.</p>
          <dl class="tracks"></dl><div class="timeline" role="list"></div>`;
      } else if (line.type === 'frame') {
        frames.push(markWeapons(line));
        progress.value = Math.min(progress.max, frames.length);
        state.textContent = `Analysed ${frames.length} of about ${progress.max} frames…`;
        drawn = drawn.then(async () => {
          $('.timeline', out).append(await timelineFrame(line, weapons));
          $('.tracks', out).innerHTML = tracks(frames, weapons);
        });
      } else if (line.type === 'error') {
        failure = new ApiError(line.error, 200, line.code);
      }
    },
  );
  await drawn;
  if (failure) throw failure;
  return `${plural(frames.length, 'frame')} analysed`;
}

async function mount(root) {
  stylesheet('ui/pages/ops.css');
  root.innerHTML = `<div class="ops">
    <div id="drop">
      <p><span id="drop-words">Drop photos or a short video here, or </span><button type="button" id="choose">choose files</button>
        <input id="pick" type="file" accept="image/*,video/*" multiple hidden aria-label="photos or videos to analyse"></p>
      <p class="muted" id="limits">JPEG, PNG, WebP, AVIF, GIF or TIFF photos; MP4, MKV, MOV or WebM videos.</p>
      <label class="muted">Video: one frame every <select id="every"><option value="0.5">0.5 s</option><option value="1" selected>1 s</option><option value="2">2 s</option><option value="5">5 s</option></select></label>
    </div>
    <p class="row"><span id="analyze-summary" role="status" class="muted"></span> <button type="button" id="analyze-clear" hidden>Clear results</button></p>
    <div id="analyze-results" class="results"></div>
  </div>`;
  let maxPhotoMb = null;
  let weapons = weaponRule();
  const clip = { max_mb: CLIP_MB, max_s: 60 };
  try {
    const { config } = await api('api/config');
    maxPhotoMb = config.server.max_upload_mb;
    weapons = weaponRule(config.analyzers?.weapon);
  } catch {
    // the server's own refusal names the limit; weapons keep the default labels and thresholds
  }
  $('#limits', root).textContent =
    `JPEG, PNG, WebP, AVIF, GIF or TIFF photos${maxPhotoMb ? ` up to ${maxPhotoMb} MB` : ''}; MP4, MKV, MOV or WebM videos up to ${clip.max_mb} MB and ${clip.max_s} s.`;

  // Each choice adds its files above the earlier ones (a second drop wiped the first's results); Clear empties the list.
  let next = 0;
  const run = async (picked) => {
    const results = $('#analyze-results', root);
    const first = next;
    next += picked.length;
    const files = picked.map((file, i) => ({ file, index: first + i }));
    results.insertAdjacentHTML('afterbegin', files.map(({ file, index }) => card(file, index)).join(''));
    $('#analyze-clear', root).hidden = false;
    const every = Number($('#every', root).value);
    let done = 0;
    let refused = 0;
    const summary = () => {
      $('#analyze-summary', root).textContent = `${done + refused} of ${plural(files.length, 'file')} done${refused ? `, ${refused} refused` : ''}.`;
    };
    summary();
    const one = async ({ file, index }) => {
      const el = $(`article[data-index="${index}"]`, results);
      const video = VIDEO_TYPES.test(file.type) || VIDEO_NAMES.test(file.name);
      const photo = !video && isPhoto(file);
      try {
        if (!video && !photo)
          throw new Error(`${file.name} is not a photo or a video (${file.type || 'unknown type'}): send JPEG, PNG, WebP, AVIF, GIF, TIFF, MP4, MKV, MOV or WebM.`);
        const limitMb = video ? clip.max_mb : maxPhotoMb;
        if (limitMb && file.size > limitMb * 1024 * 1024) {
          throw new Error(`${file.name} is ${mb(file.size)}: larger than the ${limitMb} MB limit${video ? ' for videos' : ' (server.max_upload_mb)'}.`);
        }
        const said = video ? await analyzeClip(el, file, every, weapons) : await analyzePhoto(el, file, weapons);
        el.dataset.state = 'done';
        el.removeAttribute('aria-busy');
        $('progress', el).hidden = true;
        $('.state', el).textContent = said;
        done++;
      } catch (err) {
        refuse(el, err.message);
        refused++;
      }
      summary();
    };
    // A few at a time: each shows its own progress; the rest wait their turn.
    const queue = [...files];
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
        while (queue.length) await one(queue.shift());
      }),
    );
  };

  const drop = $('#drop', root);
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) run([...e.dataTransfer.files]);
  });
  $('#choose', root).addEventListener('click', () => $('#pick', root).click());
  $('#analyze-clear', root).addEventListener('click', (e) => {
    $('#analyze-results', root).replaceChildren();
    $('#analyze-summary', root).textContent = '';
    e.target.hidden = true;
  });
  // a phone has nothing to drop from: the box says choose
  if (matchMedia('(pointer: coarse)').matches) {
    $('#drop-words', root).textContent = 'Photos or a short video: ';
    $('#choose', root).textContent = 'choose files';
  }
  $('#pick', root).addEventListener('change', (e) => {
    if (e.target.files.length) run([...e.target.files]);
    e.target.value = '';
  });
}

export default { id: 'analyze', title: 'Analyze', mount };

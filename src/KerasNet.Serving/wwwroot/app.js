// KerasNet serve's page: pick a model, give it an image, show its classes as a bar chart and the feature maps of its
// Conv2D layers as grids of grey tiles. Plain browser JavaScript, no build step, nothing fetched but this server's
// own API: GET /v1/models, POST /v1/models/NAME:classify-image and POST /v1/models/NAME:featuremaps.
'use strict';

(function () {
  // Classes drawn in the chart: a 1000-class ImageNet head would be unreadable; the rest are summed in the caption.
  const MAX_BARS = 10;
  // Largest side a feature-map tile is enlarged towards, in canvas pixels (the command line's PNG grids use 128 too).
  const TILE_TARGET = 128;
  // White pixels between tiles, in canvas pixels.
  const GAP = 4;

  const $ = (id) => document.getElementById(id);
  const app = $('app');
  const select = $('model');
  const fileInput = $('file');
  const drop = $('drop');
  const preview = $('preview');
  let models = [];
  let lastFile = null;
  let lastPredictions = null;
  let generation = 0; // a newer image or model wins over answers still on their way

  function setState(state, message) {
    app.dataset.state = state;
    app.setAttribute('aria-busy', state === 'busy' || state === 'loading' ? 'true' : 'false');
    $('status').textContent = message || '';
  }

  function showError(message) {
    const box = $('error');
    box.textContent = message;
    box.hidden = false;
    setState('error', '');
  }

  function clearError() {
    const box = $('error');
    box.textContent = '';
    box.hidden = true;
  }

  // The server answers errors as TF Serving does, {"error": "..."}; anything else is shown with its HTTP status.
  async function readJson(response, what) {
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!response.ok) {
      const detail = body && typeof body.error === 'string' ? body.error : (text || response.statusText);
      throw new Error(what + ' failed (HTTP ' + response.status + '): ' + detail);
    }
    if (body === null) throw new Error(what + ': the server did not answer JSON.');
    return body;
  }

  function currentModel() {
    return models.find((m) => m.name === select.value) || null;
  }

  function describeModel(m) {
    if (!m) return '';
    const parts = [];
    if (Array.isArray(m.input_shape)) parts.push('input ' + m.input_shape.join(' × '));
    if (Array.isArray(m.classes) && m.classes.length) parts.push(m.classes.length + ' classes');
    const layers = m.feature_map_layers || [];
    parts.push(layers.length ? layers.length + ' Conv2D layer' + (layers.length === 1 ? '' : 's') : 'no Conv2D layer');
    return parts.join(', ') + '.';
  }

  async function loadModels() {
    setState('loading', 'Loading the models…');
    try {
      const body = await readJson(await fetch('/v1/models', { headers: { Accept: 'application/json' } }), 'Listing the models');
      models = Array.isArray(body.models) ? body.models : [];
      select.textContent = '';
      for (const m of models) {
        const option = document.createElement('option');
        option.value = m.name;
        option.textContent = m.name;
        select.appendChild(option);
      }
      if (models.length === 0) {
        const option = document.createElement('option');
        option.value = '';
        option.textContent = 'No model is served';
        select.appendChild(option);
        showError('The server serves no model: start it with kerasnet serve --model FILE.');
        return;
      }
      select.disabled = false;
      $('model-info').textContent = describeModel(currentModel());
      setState('ready', 'Choose or drop an image.');
    } catch (e) {
      showError(e.message);
    }
  }

  function svg(name, attrs, text) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', name);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function percent(p) {
    return (100 * p).toFixed(p >= 0.9995 || p < 0.0005 ? 1 : 2) + ' %';
  }

  // The bar chart, laid out in the chart's own pixel width (redrawn when it changes) so its text stays readable at
  // 360 px: each class is a label line with its percentage at the right, and a bar under it.
  function drawChart(predictions) {
    const chart = $('chart');
    chart.textContent = '';
    if (!predictions) return;
    const shown = predictions.slice(0, MAX_BARS);
    const width = Math.max(240, Math.floor(chart.clientWidth || 320));
    const rowHeight = 38, barHeight = 14, labelBaseline = 14;
    const height = shown.length * rowHeight + 4;
    const summary = shown.map((p) => p.class + ' ' + percent(p.probability)).join(', ');
    const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img', 'aria-label': 'Class probabilities: ' + summary });
    root.appendChild(svg('title', {}, 'Class probabilities'));
    shown.forEach((p, i) => {
      const y = i * rowHeight;
      const g = svg('g', { 'data-class': p.class });
      g.appendChild(svg('title', {}, p.class + ': ' + percent(p.probability)));
      g.appendChild(svg('text', { x: 0, y: y + labelBaseline }, p.class));
      g.appendChild(svg('text', { x: width, y: y + labelBaseline, 'text-anchor': 'end' }, percent(p.probability)));
      g.appendChild(svg('rect', { x: 0, y: y + 19, width: width, height: barHeight, fill: '#eef1f4' }));
      const w = Math.max(p.probability > 0 ? 1 : 0, Math.round(width * Math.min(1, Math.max(0, p.probability))));
      g.appendChild(svg('rect', { class: 'bar' + (i === 0 ? ' top' : ''), x: 0, y: y + 19, width: w, height: barHeight }));
      root.appendChild(g);
    });
    chart.appendChild(root);
    const rest = predictions.length - shown.length;
    $('chart-note').textContent = rest > 0 ? ' (the ' + shown.length + ' most likely of ' + predictions.length + ' classes)' : '';
  }

  function showPrediction(body) {
    const list = Array.isArray(body.predictions) ? body.predictions.slice() : [];
    if (list.length === 0) throw new Error('The server answered no prediction.');
    list.sort((a, b) => b.probability - a.probability);
    const topName = typeof body.top === 'string' ? body.top : body.top && typeof body.top.class === 'string' ? body.top.class : null;
    const top = (topName !== null && list.find((p) => p.class === topName)) || list[0];
    $('predicted-class').textContent = top.class;
    $('predicted-class').dataset.class = top.class;
    $('predicted-probability').textContent = '(' + percent(top.probability) + ')';
    lastPredictions = list;
    $('result').hidden = false;
    drawChart(list);
  }

  // Columns for C tiles as the command line's grids choose them: the smallest divisor of C from ceil(sqrt(C)) up
  // to twice that, so the grid is full (32 maps: 8 x 4), else ceil(sqrt(C)).
  function columnsFor(c) {
    const root = Math.ceil(Math.sqrt(c));
    for (let d = root; d <= 2 * root; d++) if (c % d === 0) return d;
    return Math.max(1, root);
  }

  function decodeBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // One layer's maps: data holds C tiles of H x W grey bytes, channel after channel, row-major.
  function drawLayer(layer) {
    const h = layer.height, w = layer.width, c = layer.channels;
    const bytes = decodeBase64(layer.data);
    if (bytes.length !== h * w * c) throw new Error('Layer ' + layer.name + ': ' + bytes.length + ' bytes of maps, expected ' + h * w * c + '.');
    const cols = columnsFor(c), rows = Math.ceil(c / cols);
    const scale = Math.max(1, Math.floor(TILE_TARGET / Math.max(h, w)));
    const tw = w * scale, th = h * scale;
    const canvas = document.createElement('canvas');
    canvas.width = cols * tw + (cols + 1) * GAP;
    canvas.height = rows * th + (rows + 1) * GAP;
    canvas.className = 'fmap';
    canvas.dataset.layer = layer.name;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Feature maps of layer ' + layer.name + ': ' + c + ' channels of ' + h + ' by ' + w + ' pixels, in ' + rows + ' rows of ' + cols + '.');
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    const tile = document.createElement('canvas');
    tile.width = w;
    tile.height = h;
    const tctx = tile.getContext('2d');
    const img = tctx.createImageData(w, h);
    for (let k = 0; k < c; k++) {
      const base = k * h * w;
      for (let i = 0; i < h * w; i++) {
        const v = bytes[base + i];
        img.data[4 * i] = v;
        img.data[4 * i + 1] = v;
        img.data[4 * i + 2] = v;
        img.data[4 * i + 3] = 255;
      }
      tctx.putImageData(img, 0, 0);
      const x = GAP + (k % cols) * (tw + GAP), y = GAP + Math.floor(k / cols) * (th + GAP);
      ctx.drawImage(tile, 0, 0, w, h, x, y, tw, th);
    }
    const section = document.createElement('div');
    section.className = 'layer';
    const heading = document.createElement('h3');
    heading.textContent = layer.name + ' (' + h + ' × ' + w + ' × ' + c + ')';
    section.appendChild(heading);
    section.appendChild(canvas);
    return section;
  }

  function showMaps(body) {
    const list = $('maps-list');
    list.textContent = '';
    const layers = Array.isArray(body.layers) ? body.layers : [];
    for (const layer of layers) list.appendChild(drawLayer(layer));
    const omitted = Array.isArray(body.omitted) ? body.omitted : [];
    $('maps-note').textContent = omitted.length
      ? 'Not shown, to keep the answer under ' + Math.round((body.max_bytes || 0) / 1048576) + ' MiB: ' + omitted.join(', ') + '.'
      : '';
    $('maps').hidden = layers.length === 0 && omitted.length === 0;
  }

  function postImage(model, action, file) {
    const form = new FormData();
    form.append('image', file, file.name || 'image');
    return fetch('/v1/models/' + encodeURIComponent(model.name) + ':' + action, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
  }

  async function run(file) {
    const model = currentModel();
    if (!model) { showError('Choose a model first.'); return; }
    if (!file) return;
    lastFile = file;
    const mine = ++generation;
    clearError();
    $('result').hidden = true;
    $('maps').hidden = true;
    $('maps-list').textContent = '';
    setState('busy', 'Classifying ' + (file.name || 'the image') + ' with ' + model.name + '…');
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.alt = 'The image being classified: ' + (file.name || 'dropped image');
    preview.hidden = false;
    const wantMaps = (model.feature_map_layers || []).length > 0;
    try {
      const [classified, maps] = await Promise.all([
        postImage(model, 'classify-image', file).then((r) => readJson(r, 'Classifying the image')),
        wantMaps ? postImage(model, 'featuremaps', file).then((r) => readJson(r, 'Computing the feature maps')) : Promise.resolve(null),
      ]);
      if (mine !== generation) return;
      showPrediction(classified);
      if (maps) showMaps(maps);
      setState('done', 'Done: ' + model.name + ' says ' + $('predicted-class').textContent + '.');
    } catch (e) {
      if (mine !== generation) return;
      showError(e.message);
    }
  }

  select.addEventListener('change', () => {
    $('model-info').textContent = describeModel(currentModel());
    if (lastFile) run(lastFile);
  });
  fileInput.addEventListener('change', () => { if (fileInput.files && fileInput.files[0]) run(fileInput.files[0]); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) run(file); else showError('Nothing to classify was dropped: drop an image file.');
  });
  let chartWidth = 0;
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      const w = $('chart').clientWidth;
      if (w !== chartWidth) { chartWidth = w; drawChart(lastPredictions); }
    }).observe($('chart'));
  }

  loadModels();
})();

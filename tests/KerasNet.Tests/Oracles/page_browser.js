// Drives kerasnet serve's web page in headless Chromium (puppeteer-core, Debian's chromium) as a user would: loads
// the page at 360 px wide, uploads an image with the file chooser, waits for the answer and reads back what the page
// shows (the predicted class, the chart's bars, every feature-map canvas's pixels), then uploads a file that is not
// an image and reads the error the page shows. Prints one JSON object; the C# test (Serving/ServePageBrowserTests.cs)
// checks it against direct predictions.
//
// node page_browser.js URL IMAGE NOT_AN_IMAGE SCREENSHOT.png
// Environment: KERASNET_CHROMIUM (default /usr/bin/chromium); NODE_PATH must reach puppeteer-core.
'use strict';
const puppeteer = require('puppeteer-core');

const [url, image, notAnImage, screenshot] = process.argv.slice(2);
// Generous: the first request also builds the feature-map model, and CI machines are slow.
const WAIT_MS = 120000;

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.KERASNET_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
  const out = { consoleErrors: [], foreignRequests: [], failedRequests: [] };
  try {
    const page = await browser.newPage();
    const origin = new URL(url).origin;
    page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => out.consoleErrors.push(String(e)));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) out.foreignRequests.push(u);
    });
    page.on('requestfailed', (r) => out.failedRequests.push(r.url() + ' ' + (r.failure() ? r.failure().errorText : '')));
    await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 1 });
    await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('app').dataset.state), { timeout: WAIT_MS });
    out.models = await page.$$eval('#model option', (os) => os.map((o) => o.value));
    out.modelLabel = await page.$eval('label[for=model]', (l) => l.textContent.trim());
    out.fileLabel = await page.$eval('label[for=file]', (l) => l.textContent.trim());

    const input = await page.$('#file');
    await input.uploadFile(image);
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('app').dataset.state), { timeout: WAIT_MS });
    out.state = await page.$eval('#app', (a) => a.dataset.state);
    out.error = await page.$eval('#error', (e) => (e.hidden ? null : e.textContent));
    out.predictedClass = await page.$eval('#predicted-class', (e) => e.textContent);
    out.bars = await page.$$eval('#chart g[data-class]', (gs) => gs.map((g) => ({
      class: g.getAttribute('data-class'),
      width: Number(g.querySelector('rect.bar').getAttribute('width')),
      label: g.querySelectorAll('text')[1].textContent,
    })));
    out.chartLabel = await page.$eval('#chart svg', (s) => s.getAttribute('aria-label'));
    out.maps = await page.$$eval('canvas.fmap', (cs) => cs.map((c) => {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      // The red channel only (the tiles are grey): base64 of width x height bytes, row-major.
      const red = new Uint8Array(c.width * c.height);
      for (let i = 0; i < red.length; i++) red[i] = px[4 * i];
      let s = '';
      for (let i = 0; i < red.length; i += 0x8000) s += String.fromCharCode.apply(null, red.subarray(i, i + 0x8000));
      return { layer: c.dataset.layer, width: c.width, height: c.height, label: c.getAttribute('aria-label'), red: btoa(s) };
    }));
    // At 360 px nothing may stick out sideways (the page must not need horizontal scrolling).
    out.scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    out.viewportWidth = await page.evaluate(() => document.documentElement.clientWidth);
    await page.screenshot({ path: screenshot, fullPage: true });

    // A file that is not an image: the server's {"error": ...} must appear on the page.
    await input.uploadFile(notAnImage);
    await page.waitForFunction(() => document.getElementById('app').dataset.state === 'error', { timeout: WAIT_MS });
    out.badFileError = await page.$eval('#error', (e) => (e.hidden ? null : e.textContent));
    out.badFileRole = await page.$eval('#error', (e) => e.getAttribute('role'));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });

/**
 * The playground, tested the way users meet it: the built site (playground/dist) served by
 * Vite's preview server and driven in a real Chromium (Debian's, through playwright-core).
 * Run with `npm run test:browser` (which builds first); CHROMIUM=/path overrides the browser.
 *
 * One page is shared by the steps, in order: it loads without console errors; the Graph
 * panel shows the right gradients of a typed expression; the lecture's network trains for one
 * epoch in the worker and reaches ≥ 90% on the 10,000 held-out test images; a drawn vertical
 * stroke reads as 1 (then playground/screenshot.png is saved); the layout fits 360 px and
 * nothing jumped.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'playground');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server: PreviewServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

before(async () => {
  assert.ok(existsSync(join(root, 'dist', 'index.html')), 'playground/dist/index.html is missing: run npm run build:playground');
  assert.ok(existsSync(executablePath), `no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  server = await preview({ root, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const url = server.resolvedUrls!.local[0];
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  // Ready: the worker loaded the data and compiled the kernels.
  await page.waitForFunction(() => !(document.getElementById('train') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
});

test('the page loads its data and wasm kernels without console errors', async () => {
  const wasm = await page.textContent('#wasm');
  assert.match(wasm ?? '', /^(relaxed-simd|simd)$/, `the worker should run the wasm kernels, got '${wasm}'`);
  assert.match((await page.textContent('#data')) ?? '', /^50k train · 10k validation · 10k test$/);
  assert.deepEqual(problems, []);
});

test('the graph view shows the gradients of a typed expression', async () => {
  // Not eval: a call to anything but the engine's functions is a parse error.
  await page.fill('[data-testid=expression]', 'alert(1)');
  await page.keyboard.press('Enter');
  assert.match((await page.textContent('#expr-error')) ?? '', /Unknown function 'alert'/);
  await page.fill('#vars', 'a=0.5, b=-1, c=0.25');
  await page.fill('[data-testid=expression]', '');
  await page.type('[data-testid=expression]', '(a*b + c).tanh() + a');
  await page.keyboard.press('Enter');
  const grads = await page.$$eval('#grad-table tr', (rows) => rows.map((r) => [r.dataset.variable, Number(r.dataset.grad)] as const));
  // d = ab + c = −0.25; out = tanh(d) + a; dout/dd = 1 − tanh²(d).
  const t = 1 - Math.tanh(-0.25) ** 2;
  const want = new Map([
    ['a', -1 * t + 1],
    ['b', 0.5 * t],
    ['c', t],
  ]);
  assert.equal(grads.length, 3);
  for (const [name, g] of grads) assert.ok(Math.abs(g - want.get(name!)!) < 1e-12, `d/d${name}: got ${g}, want ${want.get(name!)}`);
  // The drawing: a shared input (a, used twice) is one node; the ops are all there, with gradients.
  const nodes = await page.$$eval('[data-testid=graph] g.node', (gs) => gs.map((g) => [g.dataset.title, Number(g.dataset.grad)] as const));
  const titles = nodes.map(([title]) => title).sort();
  assert.deepEqual(titles, ['*', '+', '+', 'a', 'b', 'c', 'tanh'].sort());
  assert.equal(nodes.find(([title]) => title === 'tanh')![1], 1);
  assert.ok(Math.abs(nodes.find(([title]) => title === 'a')![1] - want.get('a')!) < 1e-12);
  assert.match((await page.textContent('[data-testid=graph]')) ?? '', /grad 0\.47/);
  // Gradient descent: the path goes downhill to near the bowl's minimum at (0, 0).
  assert.match((await page.textContent('#gd-summary')) ?? '', /^25 steps: f went from .* to 0\.0/);
});

test('one epoch of the lecture network in the page reaches >= 90% on the held-out test images', async () => {
  const before = await boxes();
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=accuracy]')!.dataset.epoch) >= 1, null, {
    timeout: 150_000,
  });
  await page.click('[data-testid=train]'); // pause
  const acc = await page.$eval('[data-testid=accuracy]', (e) => ({ ...e.dataset }));
  console.log(`# page, epoch 1: test ${acc.test}, validation ${acc.validation}, ${Math.round(Number(acc.examplesPerSecond))} examples/s`);
  assert.ok(Number(acc.test) >= 0.9, `test accuracy after one epoch: ${acc.test}`);
  assert.deepEqual(await boxes(), before, 'training moved the panels (a layout jump)');
});

test('a drawn vertical stroke is read as 1 (screenshot saved)', async () => {
  const pad = (await page.$('[data-testid=canvas]'))!;
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const x = box.x + box.width * 0.5;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(x + i * 0.3, box.y + box.height * (0.15 + (0.7 * i) / 20));
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=prediction]')!.dataset.digit !== undefined);
  assert.equal(await page.getAttribute('[data-testid=prediction]', 'data-digit'), '1');
  // The hidden layer is shown too: one cell per neuron of the 30.
  assert.equal(await page.$$eval('#hidden .layer span', (s) => s.length), 30);
  // The picture for the README: trained for an epoch, a 1 drawn, a typed graph.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(root, 'screenshot.png'), fullPage: true });
});

test('keyboard: the controls are reachable with Tab and the pad draws with the arrow keys', async () => {
  await page.focus('[data-testid=canvas]');
  await page.keyboard.press('Delete');
  assert.equal(await page.textContent('[data-testid=prediction]'), '–');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=prediction]')!.dataset.digit !== undefined);
  assert.equal(await page.getAttribute('[data-testid=prediction]', 'data-digit'), '1');
  // From the skip link at the top of the page, Tab reaches the Start button through the settings.
  await page.focus('.skip');
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'train');
  }
  assert.ok(reached, 'Tab never reached the Start button');
});

test('changing a setting builds a new network and clears the figures', async () => {
  assert.equal(await page.textContent('#parameters'), '23,860');
  await page.selectOption('#init', 'xavier');
  await page.waitForFunction(() => document.getElementById('examples')!.textContent === '0');
  assert.equal(await page.textContent('[data-testid=accuracy]'), '–');
  assert.equal(await page.textContent('[data-testid=train]'), 'Start');
  await page.fill('#sizes', '784,100,10');
  await page.press('#sizes', 'Enter');
  await page.waitForFunction(() => document.getElementById('parameters')!.textContent === '79,510');
  await page.fill('#sizes', '784,30,9');
  await page.press('#sizes', 'Enter');
  assert.match((await page.textContent('#train-error')) ?? '', /the last 10/);
  await page.click('#lecture');
  await page.waitForFunction(() => document.getElementById('parameters')!.textContent === '23,860');
  assert.equal(await page.textContent('#train-error'), '');
});

test('readable at 360 px: nothing overflows sideways; no console errors', async () => {
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, `the page is ${overflow}px wider than a 360px screen`);
  const narrow = await page.$$eval('section', (ss) => ss.map((s) => s.getBoundingClientRect().width));
  for (const w of narrow) assert.ok(w <= 360 && w > 300, `a panel is ${w}px wide at 360px`);
  assert.deepEqual(problems, []);
});

/** The panels' positions and sizes, to detect layout jumps. */
function boxes(): Promise<number[][]> {
  return page.$$eval('section, .chart canvas, #bars', (es) =>
    es.map((e) => {
      const r = e.getBoundingClientRect();
      return [r.x, r.y + window.scrollY, r.width, r.height].map(Math.round);
    }),
  );
}

/**
 * Lecture item 3 (and 6): MNIST itself — what the images look like, how the classes are balanced,
 * and what the writers' split means for the test set.
 *
 *   npx tsx examples/mnist.ts
 *
 * 60,000 training images and 10,000 test images of handwritten digits, 28×28 grey pixels: the
 * input x is 784 numbers in [0, 1] (784 input neurons), the output y is a one-hot 10-vector.
 * Per the MNIST page (LeCun, Cortes, Burges), the training images come from about 250 writers
 * and the test images from 250 others — no writer appears in both — and each set mixes NIST's
 * Special Database 3 (Census Bureau employees) and Special Database 1 (high-school students):
 * 30,000 + 30,000 in training; in the test file, says the page, the first 5,000 from SD-3,
 * "cleaner and easier", and the last 5,000 from SD-1. The files carry no writer ids, so we cannot
 * list writers; we measure what the split implies instead: a network trained on the first 50,000
 * training images, scored on them, on the 10,000 held-out images of the training file, and on
 * each half of the test file. (Measured: the first half of the test file is the *harder* one
 * for this network — the example prints the page's claim next to the figures. Yadav & Bottou's
 * "Cold Case: the lost MNIST digits", 2019, traces every MNIST digit back to its NIST writer.)
 */
import { nn, optim, data, noGrad, tensor } from '../src/index.js';
import { isMain } from './lib/cli.js';

/** Grey levels from white (0) to black (1). */
const SHADES = ' .:-=+*#%@';

/** Image `i` of `set` as `rows` lines of text, one character per pixel. */
export function asciiDigit(set: data.Dataset, i: number): string[] {
  const lines: string[] = [];
  const px = set.images.subarray(i * set.features, (i + 1) * set.features);
  for (let r = 0; r < set.rows; r++) {
    let line = '';
    for (let c = 0; c < set.cols; c++) line += SHADES[Math.min(SHADES.length - 1, Math.floor(px[r * set.cols + c] * SHADES.length))];
    lines.push(line);
  }
  return lines;
}

/** How many examples of each digit `labels` holds. */
export function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Examples [from, from + count) of `set` as a dataset of their own (no copy). */
export function slice(set: data.Dataset, from: number, count: number): data.Dataset {
  return {
    ...set,
    count,
    images: set.images.subarray(from * set.features, (from + count) * set.features),
    labels: set.labels.subarray(from, from + count),
  };
}

/** Fraction of `set` a network classifies right. */
export function accuracyOn(net: nn.Module, set: data.Dataset): number {
  return noGrad(() => nn.accuracy(net.forward(tensor(set.images, { shape: [set.count, set.features] })), set.labels));
}

function main(): void {
  const { train, test } = data.loadMnist({ trainSize: 60_000, validationSize: 0 });
  console.log(
    `MNIST: ${train.count.toLocaleString('en-US')} training and ${test.count.toLocaleString('en-US')} test images of ${train.rows}×${train.cols} pixels ` +
      `(x: ${train.features} input neurons, each a grey level in [0, 1]).\n`,
  );

  console.log('The first eight training images, with their labels:');
  for (const row of [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]) {
    const arts = row.map((i) => asciiDigit(train, i));
    console.log('   ' + row.map((i) => `label ${train.labels[i]}`.padEnd(train.cols + 3)).join(''));
    for (let r = 0; r < train.rows; r++) {
      const line = arts.map((a) => a[r] + '   ').join('');
      if (line.trim() !== '') console.log('   ' + line); // blank border rows left out
    }
  }
  const y0 = Array.from(nn.oneHot([train.labels[0]], 10).data).join(', ');
  console.log(`The target of the first image (a ${train.labels[0]}) is the one-hot y = (${y0}) (item 6).\n`);

  console.log('Class balance:');
  const tr = classCounts(train.labels),
    te = classCounts(test.labels);
  console.log('   digit    training        test');
  for (let d = 0; d < 10; d++) {
    const p1 = (100 * tr[d]) / train.count,
      p2 = (100 * te[d]) / test.count;
    console.log(
      `     ${d}    ${tr[d].toLocaleString('en-US').padStart(6)} ${p1.toFixed(1).padStart(5)}%   ${te[d].toLocaleString('en-US').padStart(5)} ${p2.toFixed(1).padStart(5)}%   ${'█'.repeat(Math.round(p1 * 3))}`,
    );
  }
  const lo = tr.indexOf(Math.min(...tr)),
    hi = tr.indexOf(Math.max(...tr));
  console.log(
    `   Nearly balanced: from ${((100 * tr[lo]) / train.count).toFixed(1)}% (${lo}s) to ${((100 * tr[hi]) / train.count).toFixed(1)}% (${hi}s) of the training set; ` +
      `a constant guess of "${hi}" would score ${((100 * te[hi]) / test.count).toFixed(1)}% on the test set.\n`,
  );

  console.log("What the writers' split means: the test set is handwriting the network has never seen, from people it has never");
  console.log('seen. Training 784-30-10 (sigmoid, quadratic cost, m = 10, η = 3) for 2 epochs on the first 50,000 training images:');
  const t0 = performance.now();
  const fit = slice(train, 0, 50_000);
  const net = new nn.MLP([784, 30, 10], { seed: 1 });
  const opt = new optim.SGD(net.parameters(), { lr: 3 });
  const loader = new data.DataLoader(fit, { batchSize: 10, seed: 1 });
  for (let e = 0; e < 2; e++) {
    for (const b of loader.epoch(e)) {
      const loss = nn.quadraticCost(net.forward(b.inputs), b.targets);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  }
  const heldOut = slice(train, 50_000, 10_000),
    first = slice(test, 0, 5000),
    second = slice(test, 5000, 5000);
  const acc = {
    fit: accuracyOn(net, fit),
    heldOut: accuracyOn(net, heldOut),
    first: accuracyOn(net, first),
    second: accuracyOn(net, second),
    test: accuracyOn(net, test),
  };
  const rows: [string, number][] = [
    ['the 50,000 images it learned from', acc.fit],
    ["training file 50,000–59,999 (held out; the training file's writers)", acc.heldOut],
    ['test file 0–4,999 (other writers; per the MNIST page SD-3, "easier")', acc.first],
    ['test file 5,000–9,999 (other writers; per the MNIST page SD-1)', acc.second],
    ['the whole test file', acc.test],
  ];
  for (const [name, a] of rows) console.log(`   ${name.padEnd(70)} ${(100 * a).toFixed(2).padStart(6)}%`);
  console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const pct = (a: number): string => `${(100 * a).toFixed(1)}%`;
  const gap = acc.fit - acc.test;
  console.log(
    `   The score on its own images (${pct(acc.fit)}) is ${gap > 0.005 ? `above the test score (${pct(acc.test)}): seen handwriting flatters a network.` : `close to the test score (${pct(acc.test)}):`}`,
  );
  if (gap <= 0.005) console.log('   after 2 epochs this small network has not memorised its images.');
  console.log(`   The held-out images of the training file score ${pct(acc.heldOut)}. Only the test file guarantees writers the`);
  console.log('   network has never seen, so only its score stands for "robust to unseen handwriting" — and it is not one');
  const harder = acc.first < acc.second ? 'first' : 'second';
  console.log(
    `   uniform population: its halves score ${pct(acc.first)} and ${pct(acc.second)}; the ${harder} half is the harder one here` +
      `${harder === 'first' ? ',\n   although the MNIST page calls the first half "cleaner and easier".' : ', as the MNIST page says.'}`,
  );
  console.log('   A score on part of the test file depends on which part; compare networks on the same, whole test file.');
}

if (isMain(import.meta.url)) main();

/**
 * `tensorgrad train --arch cnn`: flag parsing and the CNN's defaults, a tiny CNN trained in
 * process on a few hundred synthetic 16×16 images (it must learn), checkpoint/resume ending
 * bit-identical (dropout masks included), the model file round trip, and `evaluate` of a
 * saved CNN on the MNIST test set.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/index.js';
import { parseTrainArgs, UsageError } from '../../src/cli/args.js';
import { Trainer, trainMnist, type TrainSplits } from '../../src/cli/train.js';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from '../../src/cli/checkpoint.js';
import { encodeModel, loadModel } from '../../src/cli/model-file.js';
import { ConvNet } from '../../src/cli/cnn.js';
import { describeConfig } from '../../src/cli/format.js';
import { evaluateCommand } from '../../src/cli/evaluate-command.js';

/** 16×16 images of one bright bar on noise: class 0 a horizontal bar, 1 a vertical one, 2 a diagonal. */
function bars(count: number, seed: number): TrainSplits['train'] {
  const rng = new Rng(seed);
  const side = 16;
  const images = new Float32Array(count * side * side);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(3);
    const at = 2 + rng.int(12);
    const img = images.subarray(i * side * side, (i + 1) * side * side);
    for (let p = 0; p < img.length; p++) img[p] = 0.2 * rng.uniform();
    for (let k = 0; k < side; k++) {
      const [r, c] = label === 0 ? [at, k] : label === 1 ? [k, at] : [k, k];
      img[r * side + c] = 1;
    }
    labels[i] = label;
  }
  return { images, labels, count, features: side * side };
}

const TINY = ['--arch', 'cnn', '--sizes', '256,16,3', '--channels', '4,6', '--batch', '16'];

describe('--arch cnn parsing', () => {
  it('gives the CNN its own defaults, leaving the MLP as the default arch', () => {
    expect(parseTrainArgs([]).arch).toBe('mlp');
    expect(parseTrainArgs([]).channels).toEqual([]);
    const c = parseTrainArgs(['--arch', 'cnn']);
    expect(c).toMatchObject({
      arch: 'cnn',
      sizes: [784, 128, 10],
      channels: [32, 64],
      dropout: 0.25,
      epochs: 12,
      activation: 'relu',
      loss: 'cross-entropy',
      outputActivation: 'identity',
      optimizer: 'adam',
      lr: 0.001,
      batch: 64,
      schedule: 'cosine',
    });
    expect(parseTrainArgs(['--arch=cnn', '--optimizer', 'momentum', '--epochs', '2', '--channels', '8,8'])).toMatchObject({
      optimizer: 'momentum',
      momentum: 0.9,
      lr: 0.3,
      epochs: 2,
      channels: [8, 8],
    });
  });
  it('rejects CNN flags without --arch cnn and shapes the CNN cannot have', () => {
    expect(() => parseTrainArgs(['--channels', '4,8'])).toThrow(/--channels: only for --arch cnn/);
    expect(() => parseTrainArgs(['--arch', 'cnn', '--channels', '4,8,16'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--arch', 'cnn', '--sizes', '784,10'])).toThrow(/--sizes: the cnn's fully connected part is inputs,hidden,classes/);
    expect(() => parseTrainArgs(['--arch', 'cnn', '--dropout', '1'])).toThrow(/--dropout: expected a probability in \[0, 1\)/);
    expect(() => parseTrainArgs(['--arch', 'cnn', '--activation', 'sigmoid'])).toThrow(/--activation: the cnn uses relu/);
    expect(() => parseTrainArgs(['--arch', 'rnn'])).toThrow(/--arch: expected one of mlp, cnn/);
  });
  it('prints the layer table and the parameter count', () => {
    const lines = describeConfig(parseTrainArgs(['--arch', 'cnn']));
    const text = lines.join('\n');
    expect(text).toMatch(/Conv2d\(1→32, 5×5\)\s+\[32, 24, 24\]\s+832/);
    expect(text).toMatch(/Conv2d\(32→64, 5×5\)\s+\[64, 8, 8\]\s+51,264/);
    expect(text).toMatch(/Linear\(1024→128\)\s+\[128\]\s+131,200/);
    // 32·25+32 + 64·32·25+64 + 1024·128+128 + 128·10+10
    expect(text).toMatch(/Params {4}184,586 /);
  });
});

describe('a tiny CNN (in process, synthetic 16×16 images)', () => {
  const splits: TrainSplits = { train: bars(320, 1), validation: bars(0, 2), test: bars(150, 3) };

  it('learns: test accuracy far above chance after 3 short epochs', () => {
    const r = trainMnist(parseTrainArgs([...TINY, '--epochs', '3', '--lr', '0.01']), {}, splits);
    expect(r.model).toBeInstanceOf(ConvNet);
    expect(r.epochs[2].cost).toBeLessThan(r.epochs[0].cost);
    expect(r.epochs[2].testAccuracy).toBeGreaterThan(0.9);
  });

  it('runs its step eagerly (dropout draws new masks each step), which a compiled replay would freeze', () => {
    expect(new Trainer(parseTrainArgs(TINY), splits).compiled).toBe(false);
  });

  it('a run stopped mid-epoch and resumed from its checkpoint ends bit-identical, dropout masks included', () => {
    const config = parseTrainArgs([...TINY, '--epochs', '2']);
    const run = (stopAt: ((t: Trainer) => boolean) | null, from?: Uint8Array): Trainer => {
      const t = new Trainer(config, splits);
      if (from !== undefined) restoreCheckpoint(t, decodeCheckpoint(from, 'ckpt'), 'ckpt');
      const steps = t.steps();
      while (steps.next().done !== true) if (stopAt?.(t) === true) break;
      return t;
    };
    const straight = run(null);
    const first = run((t) => t.epoch === 1 && t.batch === 7);
    const resumed = run(null, encodeCheckpoint(first));
    const bytes = (t: Trainer): Buffer =>
      Buffer.from(
        encodeModel(
          config,
          t.model,
          t.history.map((m) => ({ ...m, seconds: 0, trainSeconds: 0 })),
        ),
      );
    expect(resumed.history.map((m) => m.cost)).toEqual(straight.history.map((m) => m.cost));
    expect(bytes(resumed).equals(bytes(straight))).toBe(true);
  });

  it('saves and loads through the model file bit for bit, rebuilt from its metadata', () => {
    const config = parseTrainArgs([...TINY, '--epochs', '1']);
    const r = trainMnist(config, {}, splits);
    const file = encodeModel(config, r.model, r.epochs);
    const { model, metadata } = loadModel(file, 'cnn.safetensors');
    expect(metadata).toMatchObject({ arch: 'cnn', format: 'tensorgrad.cnn', channels: '4,6', sizes: '256,16,3' });
    expect(model).toBeInstanceOf(ConvNet);
    expect(model.training).toBe(false);
    expect(Buffer.from(encodeModel(config, model, r.epochs)).equals(Buffer.from(file))).toBe(true);
    // A file whose tensors disagree with its claim is refused, naming the file.
    const wrong = encodeModel({ ...config, sizes: [400, 16, 3] }, r.model, r.epochs);
    expect(() => loadModel(wrong, 'bad.safetensors')).toThrow(/bad\.safetensors: 7\.weight takes 6 inputs but 6 channels of a 20×20 image give 24/);
  });
});

describe('evaluate of a saved CNN (MNIST test set)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-cnn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds the CNN from the file and measures it', () => {
    const config = parseTrainArgs(['--arch', 'cnn', '--channels', '2,4', '--sizes', '784,8,10', '--epochs', '1']);
    const model = new ConvNet({ sizes: config.sizes, channels: config.channels, dropout: config.dropout, seed: 1 });
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, encodeModel(config, model, []));
    const chunks: string[] = [];
    const sink = {
      write: (s: string): boolean => {
        chunks.push(s);
        return true;
      },
    };
    const code = evaluateCommand({ model: path, batch: 2000 }, { out: sink, err: sink });
    const out = chunks.join('');
    expect(code).toBe(0);
    expect(out).toMatch(/CNN 28×28\(784\) → conv5×5 2 → relu → maxpool 2 → conv5×5 4/);
    expect(out).toMatch(/Test {6}\d{1,3}(,\d{3})*\/10,000 correct · accuracy \d+\.\d\d%/);
  });
});

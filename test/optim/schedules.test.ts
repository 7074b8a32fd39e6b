/**
 * Learning-rate schedules: stepDecay, cosineDecay and a user function, driven through
 * LRScheduler, set the rates their formulas give; bad schedules fail clearly.
 */
import { describe, expect, it } from 'vitest';
import { optim, tensor, type Tensor } from '../../src/index.js';

const param = (): Tensor => tensor([1, 2], { dtype: 'float64', requiresGrad: true });
const sgd = (lr = 1): optim.SGD => new optim.SGD([param()], { lr });

describe('stepDecay', () => {
  it('multiplies the rate by gamma every stepSize steps', () => {
    const s = optim.stepDecay({ stepSize: 10, gamma: 0.5 });
    expect(s(0, 1)).toBe(1);
    expect(s(9, 1)).toBe(1);
    expect(s(10, 1)).toBe(0.5);
    expect(s(25, 1)).toBe(0.25);
    expect(s(30, 0.2)).toBeCloseTo(0.2 * 0.125, 15);
    expect(optim.stepDecay({ stepSize: 2 })(4, 1)).toBeCloseTo(0.01, 15); // default gamma 0.1
  });

  it('drives an optimizer through LRScheduler', () => {
    const opt = sgd(0.8);
    const sched = new optim.LRScheduler(opt, optim.stepDecay({ stepSize: 2, gamma: 0.5 }));
    expect(sched.baseLr).toBe(0.8);
    const rates = Array.from({ length: 6 }, () => sched.step());
    expect(rates).toEqual([0.8, 0.4, 0.4, 0.2, 0.2, 0.1]);
    expect(opt.lr).toBe(0.1);
    expect(sched.t).toBe(6);
  });

  it('rejects a non-positive or non-integer stepSize', () => {
    expect(() => optim.stepDecay({ stepSize: 0 })).toThrow(/stepDecay: stepSize must be a positive integer, got 0/);
    expect(() => optim.stepDecay({ stepSize: 1.5 })).toThrow(/stepSize must be a positive integer, got 1.5/);
  });
});

describe('cosineDecay', () => {
  it('anneals from the base rate to minLr along half a cosine, and stays there', () => {
    const s = optim.cosineDecay({ total: 100, minLr: 0.1 });
    const hand = (t: number): number => 0.1 + 0.5 * (1 - 0.1) * (1 + Math.cos((Math.PI * Math.min(t, 100)) / 100));
    for (const t of [0, 1, 25, 50, 75, 99, 100, 150]) expect(s(t, 1)).toBeCloseTo(hand(t), 14);
    expect(s(0, 1)).toBe(1);
    expect(s(50, 1)).toBeCloseTo(0.55, 14);
    expect(s(100, 1)).toBeCloseTo(0.1, 14);
    expect(optim.cosineDecay({ total: 100 })(50, 1)).toBeCloseTo(0.5, 14);
  });

  it('with the default minLr 0, reaches 0 at t = total without failing; a step at lr 0 changes nothing', () => {
    const opt = sgd(1);
    const sched = new optim.LRScheduler(opt, optim.cosineDecay({ total: 4 }));
    const rates = Array.from({ length: 4 }, () => sched.step());
    [0.8535533905932737, 0.5, 0.14644660940672627, 0].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 14));
    const p = opt.params[0];
    p.grad = tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expect(Array.from(p.data)).toEqual([1, 2]);
  });

  it('rejects total ≤ 0', () => {
    expect(() => optim.cosineDecay({ total: 0 })).toThrow(/cosineDecay: total must be > 0, got 0/);
    expect(() => optim.cosineDecay({ total: Number.NaN })).toThrow(/total must be > 0, got NaN/);
  });
});

describe('a user schedule', () => {
  it('gets (t, baseLr) and sets the returned rate', () => {
    const opt = sgd(2);
    const seen: [number, number][] = [];
    const sched = new optim.LRScheduler(opt, (t, base) => {
      seen.push([t, base]);
      return base / (1 + t);
    });
    expect(sched.step()).toBe(1);
    expect(opt.lr).toBe(1);
    expect(sched.step()).toBeCloseTo(2 / 3, 15);
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('the rate it sets is the one the next step uses', () => {
    const opt = sgd(1);
    const sched = new optim.LRScheduler(opt, () => 0.25);
    sched.step();
    const p = opt.params[0];
    p.grad = tensor([1, -2], { dtype: 'float64' });
    opt.step();
    expect(Array.from(p.data)).toEqual([0.75, 2.5]);
  });

  it('fails clearly when the schedule returns a negative, NaN or infinite rate', () => {
    for (const bad of [-0.1, Number.NaN, Infinity]) {
      const sched = new optim.LRScheduler(sgd(1), () => bad);
      expect(() => sched.step()).toThrow(new RegExp(`LRScheduler: the schedule gave lr ${bad} at t=1`));
    }
  });
});

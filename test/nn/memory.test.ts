import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { nn, optim, rand } from '../../src/index.js';

// Users never dispose: after backward() the graph must let go of everything, so the heap of a
// training loop stays flat however many steps run.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory', () => {
  it('a training step allocates nothing that survives it: the heap stays flat over thousands of steps', () => {
    const net = new nn.MLP([784, 30, 10], { seed: 1 });
    const opt = new optim.SGD(net.parameters(), { lr: 3 });
    const x = rand([10, 784], { seed: 2 });
    const y = nn.oneHot([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);
    let last = nn.quadraticCost(net.forward(x), y);
    const step = (): void => {
      last = nn.quadraticCost(net.forward(x), y); // keep the latest loss alive, as a user logging it would
      opt.zeroGrad();
      last.backward();
      opt.step();
    };
    for (let i = 0; i < 300; i++) step();
    const before = heapAfterGc();
    for (let i = 0; i < 3000; i++) step();
    const after = heapAfterGc();
    // 3,000 steps each allocate ~250 KB; anything kept per step would show as megabytes.
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
    expect(last.item()).toBeGreaterThan(0);
  });
});

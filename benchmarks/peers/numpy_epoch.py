"""NumPy peer of `npm run bench:mnist`: the lecture's network (Nielsen ch. 1) trained with
vectorised backprop over the mini-batch, float32, on one BLAS thread.

Started by benchmarks/peers/numpy.ts as a long-lived subprocess so that it can be interleaved
with the in-process systems: it reads one JSON command per line on stdin and answers one JSON
line on stdout. All data comes from the directory named by argv[1], written by the TypeScript
side (raw little-endian arrays), so that NumPy starts from the *same* initial parameters and
sees the *same* shuffled batches as tensorgrad and tfjs:

    train_x.f32  (N, 784)   train_y.u8 (N,)     test_x.f32 (T, 784)   test_y.u8 (T,)
    order.i32    (N,)       W1.f32 (784, 30)    b1.f32 (30,)          W2.f32 (30, 10)   b2.f32 (10,)
    meta.json    {"sizes": [784, 30, 10], "batch": 10, "lr": 3.0, "train": N, "test": T, "order": N}

Commands: {"cmd": "warmup", "steps": K} (a throwaway model), {"cmd": "train", "from": a,
"to": b} (steps a..b-1, timed here with perf_counter so pipe latency is not counted),
{"cmd": "accuracy"}, {"cmd": "quit"}.
"""

import json
import os
import sys
import time

import numpy as np


def blas_info():
    """Which BLAS and which kernel it dispatched to (OPENBLAS_CORETYPE would force a slow one)."""
    try:
        from threadpoolctl import threadpool_info

        return "; ".join(
            f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} threads={p.get('num_threads')}"
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        )
    except ImportError:
        pass
    # Without threadpoolctl: ask the OpenBLAS that NumPy's wheel bundles (symbols are prefixed).
    import ctypes
    import glob

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
                config = getattr(lib, f"{prefix}_get_config{suffix}", None)
                threads = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if corename is None or config is None:
                    continue
                corename.restype = config.restype = ctypes.c_char_p
                n = threads() if threads is not None else "?"
                return f"{config().decode()} (kernel {corename().decode()}, threads={n})"
    cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{cfg.get('name')} {cfg.get('version')} (kernel unknown: no threadpoolctl)"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    """784-30-10, sigmoid, quadratic cost, SGD. Weights stored (in, out) as the others do."""

    def __init__(self, W1, b1, W2, b2, lr, batch):
        self.W1, self.b1, self.W2, self.b2 = W1.copy(), b1.copy(), W2.copy(), b2.copy()
        # float32 scalars keep every product float32 (a Python float would be too, by NEP 50,
        # but being explicit makes the dtype of the update plain to see).
        self.lr = np.float32(lr)
        self.inv_batch = np.float32(1.0 / batch)

    def forward(self, x):
        a1 = sigmoid(x @ self.W1 + self.b1)
        return a1, sigmoid(a1 @ self.W2 + self.b2)

    def step(self, x, y):
        """One SGD step on the mini-batch: C = Σ‖a2 − y‖² / (2·batch), as the other systems."""
        a1, a2 = self.forward(x)
        d2 = (a2 - y) * self.inv_batch * a2 * (1.0 - a2)
        d1 = (d2 @ self.W2.T) * a1 * (1.0 - a1)
        self.W2 -= self.lr * (a1.T @ d2)
        self.b2 -= self.lr * d2.sum(axis=0)
        self.W1 -= self.lr * (x.T @ d1)
        self.b1 -= self.lr * d1.sum(axis=0)


def main():
    root = sys.argv[1]
    meta = json.load(open(os.path.join(root, "meta.json")))
    F, H, C = meta["sizes"]
    B, lr, N, T = meta["batch"], meta["lr"], meta["train"], meta["test"]

    def load(name, dtype, shape):
        a = np.fromfile(os.path.join(root, name), dtype=dtype)
        return a.reshape(shape)

    train_x = load("train_x.f32", "<f4", (N, F))
    train_y = load("train_y.u8", np.uint8, (N,))
    test_x = load("test_x.f32", "<f4", (T, F))
    test_y = load("test_y.u8", np.uint8, (T,))
    order = load("order.i32", "<i4", (meta["order"],))
    init = [load("W1.f32", "<f4", (F, H)), load("b1.f32", "<f4", (H,)), load("W2.f32", "<f4", (H, C)), load("b2.f32", "<f4", (C,))]
    eye = np.eye(C, dtype=np.float32)

    def batch(b):
        """The same gather as the TypeScript side: images by the shared order, one-hot labels."""
        idx = order[b * B : (b + 1) * B]
        return train_x[idx], eye[train_y[idx]]

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    net = Network(*init, lr, B)
    reply({"ready": True, "numpy": np.__version__, "python": sys.version.split()[0], "blas": blas_info()})
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "warmup":
            w = Network(*init, lr, B)
            for b in range(msg["steps"]):
                w.step(*batch(b))
            reply({"ok": True})
        elif cmd == "train":
            t0 = time.perf_counter()
            for b in range(msg["from"], msg["to"]):
                net.step(*batch(b))
            reply({"seconds": time.perf_counter() - t0})
        elif cmd == "accuracy":
            _, scores = net.forward(test_x)
            reply({"accuracy": float((scores.argmax(axis=1) == test_y).mean())})
        elif cmd == "quit":
            reply({"ok": True})
            return
        else:
            reply({"error": f"numpy_epoch.py: unknown command {cmd!r}"})


if __name__ == "__main__":
    main()

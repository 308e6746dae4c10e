#!/usr/bin/python3
"""NPE with the reference's MDN, written in PyTorch (float32) from the
specification ../shared/spec/snpe.md B.1-B.3, trained on the rows that
bench_gaussian_linear writes: what the reference package does on libsbi's
gaussian_linear data. Not part of the build or the tests; needs Debian's
python3-torch and python3-numpy.

    build/bench/posterior/bench_gaussian_linear --dump /tmp/gl.bin
    nice /usr/bin/python3 bench/posterior/mdn_reference.py /tmp/gl.bin 1 10

Network (sbi 0.27 MultivariateGaussianMDN): trunk Linear(10,50)-ReLU-
Linear(50,50)-ReLU, four linear heads (logits, means, softplus diagonal,
strict upper triangle of A), precision A^T A + 1e-4 I, log-det sum log A_ii;
the reference's head initialisation. Trainer: one random split (10 %
validation), theta and x z-scored from the training rows (unbiased std),
Adam(5e-4), batches of 200 reshuffled every epoch with the last incomplete one
dropped, gradient norm clipped at 5, validation loss after every epoch, stop
after 20 epochs without improvement, best weights restored. Prints per seed
the same columns as bench_gaussian_linear (moments exact from the mixture).
"""
import math
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

D = 10
XO = np.array([1.0471346, 0.5566712, -0.23618454, 0.027879834, -1.0051446,
               -0.007930746, 0.06117077, -0.29286885, -0.38539964, 0.2449614])


class MDN(nn.Module):
    def __init__(self, d, xd, hidden=50, components=10, layers=2, eps=1e-4):
        super().__init__()
        self.d, self.k, self.eps = d, components, eps
        trunk, width = [], xd
        for _ in range(layers):
            trunk += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        self.trunk = nn.Sequential(*trunk)
        self.nu = d * (d - 1) // 2
        self.logits = nn.Linear(hidden, components)
        self.means = nn.Linear(hidden, components * d)
        self.diag = nn.Linear(hidden, components * d)
        self.upper = nn.Linear(hidden, components * self.nu)
        self.rows, self.cols = np.triu_indices(d, k=1)
        nn.init.normal_(self.logits.weight, 0.0, eps)
        nn.init.normal_(self.logits.bias, 0.0, eps)
        nn.init.normal_(self.diag.weight, 0.0, eps)
        nn.init.constant_(self.diag.bias, math.log(math.exp(1.0 - eps) - 1.0))
        nn.init.normal_(self.upper.weight, 0.0, eps)
        nn.init.zeros_(self.upper.bias)

    def mixture(self, x):
        h, n = self.trunk(x), x.shape[0]
        diag = F.softplus(self.diag(h).view(n, self.k, self.d))
        a = torch.zeros(n, self.k, self.d, self.d, dtype=x.dtype)
        a[..., range(self.d), range(self.d)] = diag
        a[..., self.rows, self.cols] = self.upper(h).view(n, self.k, self.nu)
        return self.logits(h), self.means(h).view(n, self.k, self.d), a, diag

    def log_prob(self, theta, x):
        logits, mu, a, diag = self.mixture(x)
        prec = a.transpose(-1, -2) @ a + self.eps * torch.eye(self.d, dtype=x.dtype)
        delta = (theta.unsqueeze(1) - mu).unsqueeze(-1)
        quad = (delta.transpose(-1, -2) @ prec @ delta).squeeze(-1).squeeze(-1)
        logw = logits - torch.logsumexp(logits, -1, keepdim=True)
        c = logw - 0.5 * self.d * math.log(2 * math.pi) + torch.log(diag).sum(-1) - 0.5 * quad
        return torch.logsumexp(c, -1)


def true_nll(theta, x):
    return 0.5 * ((theta - x / 2) ** 2).sum(1) / 0.05 + 0.5 * D * math.log(2 * math.pi * 0.05)


def train(seed, theta, x, hidden, components, layers, dtype):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n = theta.shape[0]
    n_train = int((1 - 0.1) * n)
    perm = torch.randperm(n, generator=gen).numpy()
    tr, va = perm[:n_train], perm[n_train:]
    t_shift, t_scale = theta[tr].mean(0), theta[tr].std(0, ddof=1)
    x_shift, x_scale = x[tr].mean(0), x[tr].std(0, ddof=1)
    tz = torch.tensor((theta - t_shift) / t_scale, dtype=dtype)
    xz = torch.tensor((x - x_shift) / x_scale, dtype=dtype)
    log_scale = float(np.log(t_scale).sum())
    net = MDN(D, D, hidden, components, layers).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=5e-4)
    bs, best, since, epoch, val, snapshot = 200, math.inf, 0, 0, math.inf, None
    while True:
        if epoch == 0 or val < best:
            best, since = val, 0
            snapshot = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            since += 1
        if since >= 20:
            break
        order = torch.randperm(n_train, generator=gen)
        for b in range(n_train // bs):
            rows = tr[order[b * bs:(b + 1) * bs].numpy()]
            opt.zero_grad()
            loss = -net.log_prob(tz[rows], xz[rows]).mean()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
        with torch.no_grad():
            vb = len(va) // min(bs, len(va))
            rows = va[:vb * min(bs, len(va))]
            val = -net.log_prob(tz[rows], xz[rows]).mean().item() + log_scale
        epoch += 1
    net.load_state_dict(snapshot)
    net = net.double()

    def moments(xraw):
        with torch.no_grad():
            logits, mu, a, _ = net.mixture(torch.tensor(((xraw - x_shift) / x_scale)[None]))
        w, mu, a = torch.softmax(logits, -1)[0].numpy(), mu[0].numpy(), a[0].numpy()
        m = (w[:, None] * mu).sum(0)
        s2 = sum(w[k] * (np.diag(np.linalg.inv(a[k].T @ a[k])) + mu[k] ** 2) for k in range(len(w)))
        return m * t_scale + t_shift, (s2 - m ** 2) * t_scale ** 2

    def errors(xraw):
        m, v = moments(xraw)
        em, r = np.abs(m - xraw / 2), v / 0.05
        return em.max(), math.sqrt((em ** 2).mean()), r.min(), r.max(), np.abs(r - 1).max()

    rng = np.random.default_rng(999)
    typical = 0
    for _ in range(100):
        e = errors(rng.normal(size=D) * math.sqrt(0.2))
        typical += e[0] < 0.05 and e[4] < 0.2
    return epoch, best, float(true_nll(theta[va], x[va]).mean()), errors(XO), typical


def main():
    path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    opts = dict(a.split("=") for a in sys.argv[4:])
    torch.set_num_threads(1)
    raw = np.fromfile(path, dtype=np.float64).reshape(2, -1, D)
    dtype = torch.float64 if opts.get("float64") == "1" else torch.float32
    worst, n_pass = [], 0
    for seed in range(first, last + 1):
        ep, best, tv, e, typ = train(seed, raw[0], raw[1], int(opts.get("hidden", 50)),
                                     int(opts.get("components", 10)), int(opts.get("layers", 2)),
                                     dtype)
        ok = e[0] < 0.05 and e[4] < 0.2
        n_pass += ok
        worst.append(e[0])
        print(f"seed {seed:2d}  epochs {ep:3d}  val {best:.4f}  true {tv:.4f}  excess "
              f"{best - tv:.3f}  x_o: mean err max {e[0]:.4f} rms {e[1]:.4f}  var ratio "
              f"{e[2]:.3f}..{e[3]:.3f}  typical {typ:3d}%  {'PASS' if ok else 'fail'}", flush=True)
    print(f"{n_pass}/{len(worst)} seeds pass; worst mean error min {min(worst):.4f} median "
          f"{float(np.median(worst)):.4f} max {max(worst):.4f}")


if __name__ == "__main__":
    main()

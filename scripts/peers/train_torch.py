#!/usr/bin/env python3
"""The PyTorch peer of `scripts/bench train`: one epoch of the adapter objective
(README, "train"; the same loss as Tests/interop/adapter_objective.py and Sources/Training/AdapterObjective.swift) in float32 on CPU with
2 threads, on seeded random unit vectors. Prints the epoch's samples/s (ID + synthetic images) as the
first line of stdout; details go to stderr.

Recipe: d-dim unit ID images (random labels in [0, C)), M synthetic images with M captions (target = the
caption's nearest initial negative), G gap vectors; P0, N0 random unit rows; h = d/4, W1 ~ N(0, 1/d),
b1 = W2 = 0; scale 1/0.07, lambda 1, weights 0.5/0.1/0.2/1. Steps = ceil(N/256); each step takes 256 ID
images and ceil(M/steps) synthetic pairs and ceil(G/steps) gaps of this epoch's shuffle, so one epoch
covers every set once. AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, decay 1e-4 on W1, W2 only. The
epoch (shuffle, gathers, forward, backward, step) is timed after 3 warm-up steps.

usage: train_torch.py [--id N] [--synthetic M] [--gaps G] [--classes C] [--negatives K] [--dim D]
  defaults: 50000, 100000, 10000, 400, 1600, 512
"""
import argparse
import math
import sys
import time

import torch
import torch.nn.functional as F

ID_BATCH, SCALE, LAMBDA, W_SYN, W_GAP, W_DIV, W_ANCHOR = 256, 1 / 0.07, 1.0, 0.5, 0.1, 0.2, 1.0


def unit(rows, dim):
    return F.normalize(torch.randn(rows, dim), dim=1)


def ce(logits, targets):
    # With small options a late batch of a set may be empty; it contributes 0, as in the spec.
    return F.cross_entropy(logits, targets) if len(targets) else logits.sum() * 0


def loss(p, p0, n0, x, y, s, c, t, g):
    classes, k = len(p["prototypes"]), len(p["negatives"])
    qn = F.normalize(torch.cat([p["prototypes"], p["negatives"]]), dim=1)

    def image_logits(v):
        u = v + F.relu(v @ p["w1"].T + p["b1"]) @ p["w2"].T
        return SCALE * F.normalize(u, dim=1) @ qn.T

    l_id = ce(image_logits(x), y)
    l_syn = ce(image_logits(s), t) + ce(SCALE * c @ qn.T, t)
    z = image_logits(g)
    l_gap = (torch.logsumexp(z, 1) - torch.logsumexp(z[:, classes:], 1)).sum() / max(1, len(z))
    nn = F.normalize(p["negatives"], dim=1)
    l_div = torch.triu(F.relu(nn @ nn.T), diagonal=1).sum() / max(1, k * (k - 1) // 2)
    l_anchor = ((p["prototypes"] - p0) ** 2).sum(1).mean() + ((p["negatives"] - n0) ** 2).sum(1).mean()
    return l_id + LAMBDA * (W_SYN * l_syn + W_GAP * l_gap) + W_DIV * l_div + W_ANCHOR * l_anchor


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, default in [("id", 50000), ("synthetic", 100000), ("gaps", 10000), ("classes", 400),
                          ("negatives", 1600), ("dim", 512)]:
        parser.add_argument(f"--{flag}", type=int, default=default)
    a = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    d, classes, k = a.dim, a.classes, a.negatives
    x_all, s_all, c_all, g_all = unit(a.id, d), unit(a.synthetic, d), unit(a.synthetic, d), unit(a.gaps, d)
    y_all = torch.randint(0, classes, (a.id,))
    p0, n0 = unit(classes, d), unit(k, d)
    # Targets as the trainer defines them: each caption's nearest initial negative (not timed).
    t_all = torch.cat([(chunk @ n0.T).argmax(1) for chunk in c_all.split(8192)]) + classes
    p = {"prototypes": p0.clone(), "negatives": n0.clone(), "w1": torch.randn(d // 4, d) / math.sqrt(d),
         "b1": torch.zeros(d // 4), "w2": torch.zeros(d, d // 4)}
    for v in p.values():
        v.requires_grad_(True)
    optimizer = torch.optim.AdamW(
        [{"params": [p["w1"], p["w2"]], "weight_decay": 1e-4},
         {"params": [p["prototypes"], p["negatives"], p["b1"]], "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    steps = math.ceil(a.id / ID_BATCH)
    syn_batch, gap_batch = math.ceil(a.synthetic / steps), math.ceil(a.gaps / steps)

    def run(count):
        ids, syn, gaps = torch.randperm(a.id), torch.randperm(a.synthetic), torch.randperm(a.gaps)
        for step in range(count):
            i = ids[step * ID_BATCH:(step + 1) * ID_BATCH]
            j = syn[step * syn_batch:(step + 1) * syn_batch]
            q = gaps[step * gap_batch:(step + 1) * gap_batch]
            optimizer.zero_grad()
            value = loss(p, p0, n0, x_all[i], y_all[i], s_all[j], c_all[j], t_all[j], g_all[q])
            value.backward()
            optimizer.step()
        return value.item()

    run(3)
    start = time.perf_counter()
    final = run(steps)
    seconds = time.perf_counter() - start
    print(f"{(a.id + a.synthetic) / seconds:.1f}")
    print(f"torch {torch.__version__}, 2 threads: {steps} steps (batches {ID_BATCH} ID, {syn_batch} synthetic "
          f"pairs, {gap_batch} gaps; d {d}, C {classes}, K {k}, h {d // 4}) in {seconds:.2f} s, "
          f"{1000 * seconds / steps:.1f} ms/step, last loss {final:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()

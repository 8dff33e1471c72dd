#!/usr/bin/env python3
"""The PyTorch reference of the adapter objective (README, "train"; Sources/Training/AdapterObjective.swift), in float64 with autograd,
for the Swift tests to compare against.

usage: adapter_objective.py grad PROBLEM.safetensors OUT.safetensors
       adapter_objective.py train PROBLEM.safetensors OUT.safetensors STEPS [LR]

  grad   OUT holds `loss` [1], `loss_terms` [5] = [L_id, L_syn, L_gap, L_div, L_anchor] (unweighted) and
         `grad.<name>` for each of the five parameters.
  train  full-batch AdamW (torch semantics; decay 1e-4 on adapter.w1/w2 only, lr default 1e-3) for STEPS
         steps; OUT holds the five final parameters, `loss` [1] (the loss at those final parameters) and
         `loss_steps` [STEPS] (the loss each step differentiated, before its update).
PROBLEM holds F32 tensors: the five parameters, p0, n0, id_images, id_labels, syn_images, syn_captions,
syn_targets, gaps and weights = [scale, lambda, w_syn, w_gap, w_div, w_anchor]; data may have 0 rows.
Data vectors are used as stored (the problem's writer gives unit vectors, as the spec says).
"""
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

PARAMETERS = ["prototypes", "negatives", "adapter.w1", "adapter.b1", "adapter.w2"]


def mean_ce(logits, targets):
    # F.cross_entropy's mean over zero rows is NaN; the spec wants an empty batch to contribute 0.
    return F.cross_entropy(logits, targets) if len(targets) else logits.sum() * 0


def terms(p, data):
    """[L_id, L_syn, L_gap, L_div, L_anchor] for parameters p (dict) on the problem's data."""
    scale = data["weights"][0]
    prototypes, negatives = p["prototypes"], p["negatives"]
    classes, k = len(prototypes), len(negatives)
    qn = F.normalize(torch.cat([prototypes, negatives]), dim=1)

    def image_logits(x):
        u = x + F.relu(x @ p["adapter.w1"].T + p["adapter.b1"]) @ p["adapter.w2"].T
        return scale * F.normalize(u, dim=1) @ qn.T

    l_id = mean_ce(image_logits(data["id_images"]), data["id_labels"])
    l_syn = (mean_ce(image_logits(data["syn_images"]), data["syn_targets"])
             + mean_ce(scale * data["syn_captions"] @ qn.T, data["syn_targets"]))
    z = image_logits(data["gaps"])
    # -log(sum of the negatives' softmax) = logsumexp(all) - logsumexp(negatives), without underflow.
    l_gap = (torch.logsumexp(z, 1) - torch.logsumexp(z[:, classes:], 1)).mean() if len(z) else z.sum() * 0
    nn = F.normalize(negatives, dim=1)
    pairs = k * (k - 1) // 2
    l_div = torch.triu(F.relu(nn @ nn.T), diagonal=1).sum() / pairs if pairs else negatives.sum() * 0

    def anchor(x, x0):  # mean over rows of the squared distance; 0 for no rows
        return ((x - x0) ** 2).sum(1).mean() if len(x) else x.sum() * 0

    l_anchor = anchor(prototypes, data["p0"]) + anchor(negatives, data["n0"])
    return torch.stack([l_id, l_syn, l_gap, l_div, l_anchor])


def total(t, weights):
    _, lam, w_syn, w_gap, w_div, w_anchor = weights
    return t[0] + lam * (w_syn * t[1] + w_gap * t[2]) + w_div * t[3] + w_anchor * t[4]


def load(path):
    raw = {name: tensor.double() for name, tensor in load_file(path).items()}
    for name in ("id_labels", "syn_targets"):  # class indices travel as float
        raw[name] = raw[name].round().long()
    p = {name: raw.pop(name).clone().requires_grad_(True) for name in PARAMETERS}
    return p, raw


def f32(tensors):
    return {name: t.detach().float().contiguous() for name, t in tensors.items()}


def main():
    command, problem, out = sys.argv[1], sys.argv[2], sys.argv[3]
    p, data = load(problem)
    weights = data["weights"].tolist()
    if command == "grad":
        t = terms(p, data)
        loss = total(t, weights)
        loss.backward()
        result = {"loss": loss.reshape(1), "loss_terms": t}
        result.update({f"grad.{name}": p[name].grad for name in PARAMETERS})
    elif command == "train":
        steps = int(sys.argv[4])
        lr = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
        decayed = ["adapter.w1", "adapter.w2"]
        # Two groups: torch's AdamW defaults to weight_decay 1e-2, so the undecayed group must say 0.
        optimizer = torch.optim.AdamW(
            [{"params": [p[n] for n in decayed], "weight_decay": 1e-4},
             {"params": [p[n] for n in PARAMETERS if n not in decayed], "weight_decay": 0.0}],
            lr=lr, betas=(0.9, 0.999), eps=1e-8)
        history = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = total(terms(p, data), weights)
            loss.backward()
            optimizer.step()
            history.append(loss.detach())
        with torch.no_grad():
            final = total(terms(p, data), weights)
        result = dict(p)
        result["loss"] = final.reshape(1)
        result["loss_steps"] = torch.stack(history) if history else torch.zeros(0)
    else:
        sys.exit(__doc__)
    save_file(f32(result), out)


if __name__ == "__main__":
    main()

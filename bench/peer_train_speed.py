#!/usr/bin/env python3
"""PyTorch peer of bench/train-speed.ts: the same training step on the CPU, for the speed ratio.

Same two networks as tailstream's src/models (small CNN: conv3x3(32)+bias-ReLU-maxpool2-conv3x3(64)
+bias-ReLU-maxpool2-dense(128)-ReLU-dense(10) on 28x28x1; ResNet-32 CIFAR layout with option-A
shortcuts and batch norm on 32x32x3), the same step (forward, mean cross-entropy, backward,
SGD momentum 0.9 with weight decay 5e-4), batch 128, the same thread count, synthetic data.

Usage: /usr/bin/python3 bench/peer_train_speed.py [--threads N] [--batch 128]
       [--models small-cnn,resnet32] [--seconds 20] [--warmup 3] [--channels-last] [--json]
Images per second come from the median step time, as in the TypeScript bench.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(7 * 7 * 64, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = (cout - cin) // 2
        self.stride = stride
        self.option_a = stride != 1 or cin != cout

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.option_a:
            # Option A (He et al. 2016; LDAM-DRW's resnet_cifar.py): subsample, zero-pad channels.
            skip = F.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, self.pad, self.pad))
        else:
            skip = x
        return F.relu(out + skip)


class ResNetCifar(nn.Module):
    def __init__(self, blocks_per_stage=5, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for s, cout in enumerate((16, 32, 64)):
            for b in range(blocks_per_stage):
                layers.append(BasicBlock(cin, cout, 2 if s > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.blocks(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


MODELS = {
    "small-cnn": (SmallCnn, (1, 28, 28)),
    "resnet32": (ResNetCifar, (3, 32, 32)),
}


def blas_library():
    """The BLAS shared libraries this process has mapped, as real paths (Debian's alternatives name both
    OpenBLAS and the slow reference BLAS libblas.so.3; the directory, openblas-pthread/ or blas/, tells them
    apart), so a report can say what PyTorch ran on."""
    torch.ones(8, 8) @ torch.ones(8, 8)  # make sure the BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and ".so" in line}
    except OSError:
        return "unknown"
    names = sorted({os.path.realpath(lib) for lib in libs})
    return ", ".join(names) if names else "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--models", default="small-cnn,resnet32")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    blas = blas_library()
    for name in args.models.split(","):
        cls, shape = MODELS[name]
        model = cls()
        model.train()
        x = torch.rand(args.batch, *shape)
        y = torch.arange(args.batch) % 10
        if args.channels_last:
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(args.warmup):
            step()
        times, started = [], time.perf_counter()
        while time.perf_counter() - started < args.seconds or len(times) < 3:
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        ips = args.batch * 1000 / med
        result = {
            "engine": "pytorch-cpu",
            "torch": torch.__version__,
            "blas": blas,
            "model": name,
            "batch": args.batch,
            "threads": torch.get_num_threads(),
            "channelsLast": args.channels_last,
            "steps": len(times),
            "medianStepMs": med,
            "minStepMs": min(times),
            "imagesPerSecond": ips,
        }
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            print(
                f"{name:10} batch {args.batch}  {result['threads']} thread(s)  {ips:.1f} img/s  "
                f"(median step {med:.1f} ms, fastest {min(times):.1f} ms, {len(times)} steps)"
                + ("  channels-last" if args.channels_last else "")
                + f"  BLAS {blas}",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""torch_models.py: the kdistill model zoo (docs/models.md) in PyTorch, with the same
parameter names, so kdistill checkpoints load here and PyTorch state_dicts load in kdistill."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, in_features, hidden, num_classes, dropout=0.0):
        super().__init__()
        sizes = [in_features] + list(hidden) + [num_classes]
        for i in range(len(sizes) - 1):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))
        self.depth = len(sizes) - 1
        self.dropout = dropout

    def forward(self, x):
        x = x.flatten(1)
        for i in range(1, self.depth):
            x = F.relu(getattr(self, f"fc{i}")(x))
            if self.dropout > 0:
                x = F.dropout(x, self.dropout, self.training)
        return getattr(self, f"fc{self.depth}")(x)


class LeNet5(nn.Module):
    def __init__(self, in_channels, num_classes, size=28):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        s = ((size // 2) - 4) // 2
        self.fc1 = nn.Linear(16 * s * s, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        short = x if self.downsample is None else self.downsample(x)
        return F.relu(out + short)


class ResNet(nn.Module):
    """resnetD (widths 16,16,32,64) and resnetDx4 (32,64,128,256); returns logits and taps."""

    def __init__(self, depth, in_channels, num_classes, widths=(16, 16, 32, 64)):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for s in range(3):
            blocks = []
            for b in range(n):
                stride = 2 if (s > 0 and b == 0) else 1
                blocks.append(BasicBlock(cin, widths[s + 1], stride))
                cin = widths[s + 1]
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(widths[3], num_classes)

    def forward(self, x, taps=False):
        feats = {}
        x = F.relu(self.bn1(self.conv1(x)))
        feats["stem"] = x
        for s in range(1, 4):
            x = getattr(self, f"layer{s}")(x)
            feats[f"layer{s}"] = x
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        feats["pool"] = x
        logits = self.fc(x)
        return (logits, feats) if taps else logits


class WideBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.equal = cin == cout
        self.convShortcut = None if self.equal else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        pre = F.relu(self.bn1(x))
        out = self.conv2(F.relu(self.bn2(self.conv1(pre))))
        return out + (x if self.equal else self.convShortcut(pre))


class NetworkBlock(nn.Module):
    def __init__(self, n, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[WideBlock(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, in_channels, num_classes):
        super().__init__()
        n = (depth - 4) // 6
        w = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(in_channels, w[0], 3, 1, 1, bias=False)
        self.block1 = NetworkBlock(n, w[0], w[1], 1)
        self.block2 = NetworkBlock(n, w[1], w[2], 2)
        self.block3 = NetworkBlock(n, w[2], w[3], 2)
        self.bn1 = nn.BatchNorm2d(w[3])
        self.fc = nn.Linear(w[3], num_classes)

    def forward(self, x, taps=False):
        feats = {"stem": self.conv1(x)}
        h = feats["stem"]
        for g in (1, 2, 3):
            h = getattr(self, f"block{g}")(h)
            feats[f"block{g}"] = h
        pooled = F.adaptive_avg_pool2d(F.relu(self.bn1(h)), 1).flatten(1)
        feats["pool"] = pooled
        logits = self.fc(pooled)
        return (logits, feats) if taps else logits


def build(name, in_channels=1, num_classes=10, size=28):
    """Builds a zoo model by its kdistill name."""
    if name.startswith("mlp-"):
        hidden = [int(h) for h in name[4:].split("-")]
        return MLP(in_channels * size * size, hidden, num_classes)
    if name == "lenet5":
        return LeNet5(in_channels, num_classes, size)
    if name.startswith("resnet"):
        wide = name.endswith("x4")
        depth = int(name[6:-2] if wide else name[6:])
        widths = (32, 64, 128, 256) if wide else (16, 16, 32, 64)
        return ResNet(depth, in_channels, num_classes, widths)
    if name.startswith("wrn-"):
        depth, widen = (int(v) for v in name[4:].split("-"))
        return WideResNet(depth, widen, in_channels, num_classes)
    raise ValueError(f"unknown model {name}")

// Pool: max and average pooling ops (fixed and adaptive windows) and global average pooling.

/// Pools `x` `[N, C, H, W]` with `windows`, recording the op's backward.
func pool(_ x: Tensor, _ windows: PoolWindows, max isMax: Bool, op: Op) -> Tensor {
    precondition(x.rank == 4, "\(op): needs [N, C, H, W], got \(x.shape)")
    precondition(windows.outH > 0 && windows.outW > 0, "\(op): window larger than input \(x.shape)")
    let planes = x.shape[0] * x.shape[1]
    let y = Tensor(uninitialized: [x.shape[0], x.shape[1], windows.outH, windows.outW])
    let inShape = x.shape
    if isMax {
        let argmax = IndexBox(.allocate(capacity: Swift.max(y.count, 1)))
        PoolKernels.maxForward(x: x.data, y: y.data, argmax: argmax.buffer.baseAddress!, planes: planes, windows)
        return y.recorded(op, [x]) { dy in
            let dx = Tensor(uninitialized: inShape)
            PoolKernels.maxBackward(dy: dy.data, argmax: argmax.buffer.baseAddress!, dx: dx.data, planes: planes, windows)
            return [dx]
        }
    }
    PoolKernels.averageForward(x: x.data, y: y.data, planes: planes, windows)
    return y.recorded(op, [x]) { dy in
        let dx = Tensor(uninitialized: inShape)
        PoolKernels.averageBackward(dy: dy.data, dx: dx.data, planes: planes, windows)
        return [dx]
    }
}

/// Max pooling with a square `kernel` (stride defaults to the kernel).
public func maxPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
    pool(
        x, PoolWindows(inH: x.dim(2), inW: x.dim(3), kernel: kernel, stride: stride ?? kernel, padding: padding),
        max: true, op: .maxPool2d)
}

/// Average pooling with a square `kernel` (padding counted in the divisor, as PyTorch's default).
public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
    pool(
        x, PoolWindows(inH: x.dim(2), inW: x.dim(3), kernel: kernel, stride: stride ?? kernel, padding: padding),
        max: false, op: .avgPool2d)
}

/// Adaptive average pooling to `[outH, outW]` (PyTorch bins).
public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
    pool(x, PoolWindows(inH: x.dim(2), inW: x.dim(3), outH: outH, outW: outW), max: false, op: .adaptiveAvgPool2d)
}

/// Adaptive max pooling to `[outH, outW]` (PyTorch bins).
public func adaptiveMaxPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
    pool(x, PoolWindows(inH: x.dim(2), inW: x.dim(3), outH: outH, outW: outW), max: true, op: .adaptiveMaxPool2d)
}

/// Mean over each `[H, W]` plane: `[N, C, H, W]` → `[N, C]`.
public func globalAvgPool2d(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAvgPool2d: needs [N, C, H, W], got \(x.shape)")
    let (planes, hw) = (x.shape[0] * x.shape[1], x.shape[2] * x.shape[3])
    let y = Tensor(uninitialized: [x.shape[0], x.shape[1]])
    let src = x.data, dst = y.data, inv = 1 / Float(hw)
    Parallel.chunks(planes, minPerThread: 64) { r in for p in r { dst[p] = Vector.sum(src + p * hw, hw) * inv } }
    let inShape = x.shape
    return y.recorded(.globalAvgPool2d, [x]) { dy in
        let dx = Tensor(uninitialized: inShape)
        let g = dy.data, d = dx.data
        Parallel.chunks(planes, minPerThread: 64) { r in for p in r { (d + p * hw).update(repeating: g[p] * inv, count: hw) } }
        return [dx]
    }
}

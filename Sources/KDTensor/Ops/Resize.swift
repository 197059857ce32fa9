// Resize: nearest-neighbour resizing of feature maps (PyTorch's F.interpolate, mode "nearest"), the
// op ReviewKD's attention-based fusion uses to bring maps of neighbouring stages to one size.

/// `x` `[N, C, H, W]` → `[N, C, outH, outW]`, each output pixel copying the input pixel
/// (min(⌊oy·H/outH⌋, H − 1), min(⌊ox·W/outW⌋, W − 1)), the ratios in float32 as PyTorch computes them
/// (ResizeKernels.sourceIndices); up- and downsampling alike. An input pixel's gradient is the sum over
/// the output pixels that copy it.
public func resizeNearest2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
    precondition(x.rank == 4, "resizeNearest2d: needs [N, C, H, W], got \(x.shape)")
    precondition(outH > 0 && outW > 0, "resizeNearest2d: output size \(outH)x\(outW) must be positive")
    let (inH, inW, planes) = (x.shape[2], x.shape[3], x.shape[0] * x.shape[1])
    let y = Tensor(uninitialized: [x.shape[0], x.shape[1], outH, outW])
    ResizeKernels.forward(x: x.data, y: y.data, planes: planes, inH: inH, inW: inW, outH: outH, outW: outW)
    let inShape = x.shape
    return y.recorded(.resizeNearest2d, [x]) { dy in
        let dx = Tensor(uninitialized: inShape)
        ResizeKernels.backward(dy: dy.data, dx: dx.data, planes: planes, inH: inH, inW: inW, outH: outH, outW: outW)
        return [dx]
    }
}

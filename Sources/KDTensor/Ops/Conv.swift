// Conv: the conv2d op (stride, padding, optional bias) over ConvKernels, with its backward rule.

/// 2-D convolution: x `[N, Cin, H, W]`, weight `[Cout, Cin, kh, kw]`, bias `[Cout]` → `[N, Cout, Ho, Wo]`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(
        x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
        "conv2d: input \(x.shape) vs weight \(weight.shape)")
    let g = ConvGeometry(
        batch: x.shape[0], inChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
        outChannels: weight.shape[0], kernelH: weight.shape[2], kernelW: weight.shape[3],
        stride: stride, padding: padding)
    precondition(g.outHeight > 0 && g.outWidth > 0, "conv2d: kernel larger than padded input \(x.shape)")
    let y = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    ConvKernels.forward(x: x.data, weight: weight.data, bias: bias?.data, y: y.data, g)
    let (sx, sw) = (x.detached(), weight.detached())
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return y.recorded(.conv2d, inputs) { dy in
        let dx = x.requiresGrad ? Tensor(uninitialized: sx.shape) : nil
        let dw = weight.requiresGrad ? Tensor(uninitialized: sw.shape) : nil
        let db = (bias?.requiresGrad ?? false) ? Tensor(uninitialized: [g.outChannels]) : nil
        ConvKernels.backward(
            x: sx.data, weight: sw.data, dy: dy.data, dx: dx?.data, dWeight: dw?.data,
            dBias: db?.data, g)
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}

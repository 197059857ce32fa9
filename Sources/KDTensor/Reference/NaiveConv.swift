// NaiveConv: the textbook loop nest for convolution and its gradients: the twin the fast
// im2col+GEMM kernels are tested against. Slow on purpose; never used for training.

/// Reference implementations on Swift arrays (row-major NCHW), written for obviousness, not speed.
public enum Reference {
    /// y[n, o, oy, ox] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oy·s − p + i, ox·s − p + j].
    public static func conv2d(x: [Float], weight: [Float], bias: [Float]?, _ g: ConvGeometry) -> [Float] {
        var y = [Float](repeating: 0, count: g.batch * g.outImageSize)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var s = bias?[o] ?? 0
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernelH {
                                for j in 0..<g.kernelW {
                                    let iy = oy * g.stride - g.padding + i, ix = ox * g.stride - g.padding + j
                                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                    s +=
                                        weight[((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j]
                                        * x[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                                }
                            }
                        }
                        y[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox] = s
                    }
                }
            }
        }
        return y
    }

    /// (dx, dw, db) of `conv2d` for upstream gradient dy.
    public static func conv2dBackward(x: [Float], weight: [Float], dy: [Float], _ g: ConvGeometry)
        -> (dx: [Float], dWeight: [Float], dBias: [Float])
    {
        var dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: weight.count)
        var db = [Float](repeating: 0, count: g.outChannels)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let gy = dy[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox]
                        db[o] += gy
                        for c in 0..<g.inChannels {
                            for i in 0..<g.kernelH {
                                for j in 0..<g.kernelW {
                                    let iy = oy * g.stride - g.padding + i, ix = ox * g.stride - g.padding + j
                                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue }
                                    let wi = ((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j
                                    let xi = ((n * g.inChannels + c) * g.height + iy) * g.width + ix
                                    dw[wi] += gy * x[xi]
                                    dx[xi] += gy * weight[wi]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }
}

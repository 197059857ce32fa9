// NaiveFakeQuant: the per-element twin of FakeQuantKernels, calling QuantParams itself for every element
// (the kernel tests compare the two bit for bit).

/// Fake quantization and its straight-through mask, one element at a time through QuantParams.
public enum NaiveFakeQuant {
    /// p.fakeQuantize(x) for each element.
    public static func fakeQuantize(_ x: [Float], _ p: QuantParams) -> [Float] { x.map { p.fakeQuantize($0) } }

    /// g where p.isInRange(x), else 0.
    public static func passMask(_ g: [Float], _ x: [Float], _ p: QuantParams) -> [Float] {
        zip(g, x).map { p.isInRange($1) ? $0 : 0 }
    }

    /// Row c of `[C, per]` fake-quantized with params[c].
    public static func fakeQuantizePerChannel(_ x: [Float], _ params: [QuantParams]) -> [Float] {
        let per = x.count / params.count
        return x.indices.map { params[$0 / per].fakeQuantize(x[$0]) }
    }

    /// Row c of g passed where row c of x is inside params[c]'s range.
    public static func passMaskPerChannel(_ g: [Float], _ x: [Float], _ params: [QuantParams]) -> [Float] {
        let per = x.count / params.count
        return x.indices.map { params[$0 / per].isInRange(x[$0]) ? g[$0] : 0 }
    }
}

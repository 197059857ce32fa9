// ONNXInterpreter+QDQ: QuantizeLinear and DequantizeLinear (opset 13+ semantics) for QDQ graphs, with
// integer initializers read into Float tensors: per-tensor quantization, per-tensor or per-axis dequantization.

import KDTensor

extension ONNXInterpreter {
    /// An initializer as a Float tensor: float, uint8, int8 or int32 elements (int32 exact up to 2^24).
    static func constant(_ t: ONNX.TensorValue) throws -> Tensor {
        guard let n = t.elementCount, t.rawData.count == n * t.dataType.byteWidth, t.dataType != .int64 else {
            throw ExportError("initializer '\(t.name)': expected float, uint8, int8 or int32 data for dims \(t.dims)")
        }
        let shape = t.dims.map(Int.init)
        if let floats = t.floats { return Tensor(shape: shape, scalars: floats) }
        let raw = t.rawData
        let values: [Float] = (0..<n).map { i in
            switch t.dataType {
            case .uint8: return Float(raw[i])
            case .int8: return Float(Int8(bitPattern: raw[i]))
            default:
                let j = 4 * i
                let bits = UInt32(raw[j]) | UInt32(raw[j + 1]) << 8 | UInt32(raw[j + 2]) << 16 | UInt32(raw[j + 3]) << 24
                return Float(Int32(bitPattern: bits))
            }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// `y = saturate(round(x / scale) + zeroPoint)` with one scale and zero point (ties to even; the
    /// range of the zero point's type: uint8 [0, 255], int8 [−128, 127]).
    static func quantizeLinear(_ node: ONNX.Node, _ x: [Tensor], type: ONNX.DataType, _ fail: (String) -> ExportError) throws
        -> Tensor
    {
        guard x[1].count == 1, x.count < 3 || x[2].count == 1, x[1].data[0] > 0 else {
            throw fail("expected a positive per-tensor scale and zero point, found scale shape \(x[1].shape)")
        }
        let (qmin, qmax): (Int32, Int32)
        switch type {
        case .uint8: (qmin, qmax) = (0, 255)
        case .int8: (qmin, qmax) = (-128, 127)
        default: throw fail("expected a uint8 or int8 zero point, found \(type)")
        }
        let p = QuantParams(scale: x[1].data[0], zeroPoint: x.count == 3 ? Int32(x[2].data[0]) : 0, qmin: qmin, qmax: qmax)
        let out = Tensor(uninitialized: x[0].shape)
        for i in 0..<x[0].count { out.data[i] = Float(p.quantize(x[0].data[i])) }
        return out
    }

    /// `y = (x − zeroPoint) · scale`, per tensor (scalar scale) or per slice along `axis` (default 1).
    static func dequantizeLinear(_ node: ONNX.Node, _ x: [Tensor], _ fail: (String) -> ExportError) throws -> Tensor {
        let input = x[0], scale = x[1]
        let zero = x.count == 3 ? x[2] : Tensor(shape: scale.shape, repeating: 0)
        guard zero.shape == scale.shape, scale.rank <= 1 else {
            throw fail("expected scale and zero point of one shape, scalar or 1-D, found \(scale.shape) and \(zero.shape)")
        }
        let out = Tensor(uninitialized: input.shape)
        if scale.count == 1 && scale.rank == 0 || scale.count == 1 && input.rank == 0 {
            for i in 0..<input.count { out.data[i] = (input.data[i] - zero.data[0]) * scale.data[0] }
            return out
        }
        var axis = Int(node.int("axis", 1))
        if axis < 0 { axis += input.rank }
        guard axis >= 0, axis < input.rank, input.shape[axis] == scale.count else {
            throw fail("per-axis scale of \(scale.count) values does not fit axis \(axis) of \(input.shape)")
        }
        let inner = input.shape[(axis + 1)...].reduce(1, *), channels = input.shape[axis]
        for i in 0..<input.count {
            let c = (i / inner) % channels
            out.data[i] = (input.data[i] - zero.data[c]) * scale.data[c]
        }
        return out
    }
}

// ONNXEncoding: ONNX messages to protobuf bytes, with the field numbers of onnx/onnx.proto. Repeated
// scalars that onnx.proto does not declare packed (dims, ints, floats of attributes) are written
// unpacked, one field each, as a proto2 writer would.

extension ONNX.Model {
    /// The `.onnx` file's bytes.
    public func serialized() -> [UInt8] {
        var w = ProtoWriter()
        encode(into: &w)
        return w.bytes
    }

    /// ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
    /// opset_import 8, metadata_props 14.
    func encode(into w: inout ProtoWriter) {
        w.int(1, irVersion)
        w.string(2, producerName)
        if !producerVersion.isEmpty { w.string(3, producerVersion) }
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7) { graph.encode(into: &$0) }
        for opset in opsetImports {
            // OperatorSetIdProto: domain 1, version 2.
            w.message(8) { m in
                if !opset.domain.isEmpty { m.string(1, opset.domain) }
                m.int(2, opset.version)
            }
        }
        for pair in metadata {
            // StringStringEntryProto: key 1, value 2.
            w.message(14) { m in
                m.string(1, pair.key)
                m.string(2, pair.value)
            }
        }
    }
}

extension ONNX.Graph {
    /// GraphProto: node 1, name 2, initializer 5, input 11, output 12, value_info 13.
    func encode(into w: inout ProtoWriter) {
        for node in nodes { w.message(1) { node.encode(into: &$0) } }
        w.string(2, name)
        for t in initializers { w.message(5) { t.encode(into: &$0) } }
        for v in inputs { w.message(11) { v.encode(into: &$0) } }
        for v in outputs { w.message(12) { v.encode(into: &$0) } }
        for v in valueInfo { w.message(13) { v.encode(into: &$0) } }
    }
}

extension ONNX.Node {
    /// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
    func encode(into w: inout ProtoWriter) {
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        w.string(3, name)
        w.string(4, opType)
        for a in attributes { w.message(5) { a.encode(into: &$0) } }
        if !domain.isEmpty { w.string(7, domain) }
    }
}

extension ONNX.Attribute {
    /// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20.
    func encode(into w: inout ProtoWriter) {
        w.string(1, name)
        switch value {
        case .float(let f): w.float(2, f)
        case .int(let i): w.int(3, i)
        case .string(let s): w.string(4, s)
        case .floats(let fs): for f in fs { w.float(7, f) }
        case .ints(let iss): for i in iss { w.int(8, i) }
        }
        w.int(20, value.typeCode)
    }
}

extension ONNX.TensorValue {
    /// TensorProto: dims 1, data_type 2, name 8, raw_data 9.
    func encode(into w: inout ProtoWriter) {
        for d in dims { w.int(1, d) }
        w.int(2, dataType.rawValue)
        w.string(8, name)
        w.bytes(9, rawData)
    }
}

extension ONNX.ValueInfo {
    /// ValueInfoProto: name 1, type 2 → TypeProto: tensor_type 1 → TypeProto.Tensor: elem_type 1,
    /// shape 2 → TensorShapeProto: dim 1 → Dimension: dim_value 1 or dim_param 2.
    func encode(into w: inout ProtoWriter) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, elementType.rawValue)
                tensor.message(2) { shapeProto in
                    for d in shape {
                        shapeProto.message(1) { dim in
                            switch d {
                            case .value(let v): dim.int(1, v)
                            case .param(let p): dim.string(2, p)
                            }
                        }
                    }
                }
            }
        }
    }
}

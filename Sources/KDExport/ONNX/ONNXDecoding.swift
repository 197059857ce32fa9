// ONNXDecoding: protobuf bytes back to ONNX messages (the fields ONNXModel holds; others are skipped, as
// protobuf readers do). Used by the tests and by `kdistill export`'s self-check of the file it wrote;
// any malformed input is a ProtoError, never a crash.

extension ONNX.Model {
    /// Decodes a `.onnx` file's bytes.
    public init(decoding bytes: [UInt8]) throws {
        var r = ProtoReader(bytes)
        self.init()
        opsetImports = []
        var sawGraph = false
        while let f = try r.next() {
            switch f.number {
            case 1: irVersion = try f.int()
            case 2: producerName = try f.string()
            case 3: producerVersion = try f.string()
            case 6: docString = try f.string()
            case 7:
                graph = try ONNX.Graph(decoding: try f.message())
                sawGraph = true
            case 8:
                var m = try f.message()
                var opset = ONNX.OpsetID(domain: "", version: 0)
                while let g = try m.next() {
                    if g.number == 1 { opset.domain = try g.string() }
                    if g.number == 2 { opset.version = try g.int() }
                }
                opsetImports.append(opset)
            case 14:
                var m = try f.message()
                var pair = ONNX.StringPair("", "")
                while let g = try m.next() {
                    if g.number == 1 { pair.key = try g.string() }
                    if g.number == 2 { pair.value = try g.string() }
                }
                metadata.append(pair)
            default: continue
            }
        }
        guard sawGraph else { throw ProtoError("ModelProto has no graph (field 7)", at: 0) }
    }
}

extension ONNX.Graph {
    init(decoding reader: ProtoReader) throws {
        var r = reader
        self.init()
        while let f = try r.next() {
            switch f.number {
            case 1: nodes.append(try ONNX.Node(decoding: try f.message()))
            case 2: name = try f.string()
            case 5: initializers.append(try ONNX.TensorValue(decoding: try f.message(), at: f.offset))
            case 11: inputs.append(try ONNX.ValueInfo(decoding: try f.message()))
            case 12: outputs.append(try ONNX.ValueInfo(decoding: try f.message()))
            case 13: valueInfo.append(try ONNX.ValueInfo(decoding: try f.message()))
            default: continue
            }
        }
    }
}

extension ONNX.Node {
    init(decoding reader: ProtoReader) throws {
        var r = reader
        self.init("", inputs: [], outputs: [], name: "")
        while let f = try r.next() {
            switch f.number {
            case 1: inputs.append(try f.string())
            case 2: outputs.append(try f.string())
            case 3: name = try f.string()
            case 4: opType = try f.string()
            case 5: attributes.append(try ONNX.Attribute(decoding: try f.message(), at: f.offset))
            case 7: domain = try f.string()
            default: continue
            }
        }
    }
}

extension ONNX.Attribute {
    init(decoding reader: ProtoReader, at offset: Int) throws {
        var r = reader
        var name = "", type: Int64 = 0
        var f: Float?, i: Int64?, s: String?, floats: [Float] = [], ints: [Int64] = []
        while let field = try r.next() {
            switch field.number {
            case 1: name = try field.string()
            case 2: f = try field.float()
            case 3: i = try field.int()
            case 4: s = try field.string()
            case 7: floats += try field.floats()
            case 8: ints += try field.ints()
            case 20: type = try field.int()
            default: continue
            }
        }
        let value: ONNX.AttributeValue?
        switch type {
        case 1: value = f.map { .float($0) }
        case 2: value = i.map { .int($0) }
        case 3: value = s.map { .string($0) }
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        default: value = nil
        }
        guard let value else {
            throw ProtoError(
                "attribute '\(name)': type \(type) without its value (kdistill reads FLOAT, INT, STRING, FLOATS, INTS)",
                at: offset)
        }
        self.init(name, value)
    }
}

extension ONNX.TensorValue {
    init(decoding reader: ProtoReader, at offset: Int) throws {
        var r = reader
        var dims: [Int64] = [], code: Int64 = 0, name = "", raw: [UInt8]?
        while let f = try r.next() {
            switch f.number {
            case 1: dims += try f.ints()
            case 2: code = try f.int()
            case 8: name = try f.string()
            case 9: raw = Array(try f.data())
            default: continue
            }
        }
        guard let type = ONNX.DataType(rawValue: code) else {
            throw ProtoError("tensor '\(name)': data type \(code) (kdistill reads FLOAT, UINT8, INT8, INT32, INT64)", at: offset)
        }
        guard let raw else { throw ProtoError("tensor '\(name)': no raw_data (field 9)", at: offset) }
        self.init(name: name, dims: dims, dataType: type, rawData: raw)
        guard let n = elementCount, n * type.byteWidth == raw.count else {
            throw ProtoError("tensor '\(name)': dims \(dims) do not fit \(raw.count) bytes of raw_data", at: offset)
        }
    }
}

extension ONNX.ValueInfo {
    init(decoding reader: ProtoReader) throws {
        var r = reader
        self.init(name: "", shape: [])
        while let f = try r.next() {
            switch f.number {
            case 1: name = try f.string()
            case 2:
                var type = try f.message()
                while let t = try type.next() {
                    guard t.number == 1 else { continue }
                    var tensor = try t.message()
                    while let e = try tensor.next() {
                        if e.number == 1 {
                            let code = try e.int()
                            guard let dt = ONNX.DataType(rawValue: code) else {
                                throw ProtoError("value '\(name)': element type \(code)", at: e.offset)
                            }
                            elementType = dt
                        } else if e.number == 2 {
                            shape = try Self.dims(try e.message())
                        }
                    }
                }
            default: continue
            }
        }
    }

    /// TensorShapeProto's dims.
    static func dims(_ reader: ProtoReader) throws -> [ONNX.Dimension] {
        var r = reader
        var out: [ONNX.Dimension] = []
        while let d = try r.next() {
            guard d.number == 1 else { continue }
            var m = try d.message()
            var dim = ONNX.Dimension.param("")
            while let v = try m.next() {
                if v.number == 1 { dim = .value(try v.int()) }
                if v.number == 2 { dim = .param(try v.string()) }
            }
            out.append(dim)
        }
        return out
    }
}

// ONNXModel: the part of ONNX's protobuf schema (onnx/onnx.proto, IR version 8) that kdistill writes
// and reads, as plain Swift values: model, graph, node, attribute, tensor, value info. Encoding and
// decoding live beside it (ONNXEncoding.swift, ONNXDecoding.swift).

/// ONNX messages as Swift values.
public enum ONNX {
    /// IR version 8: the one of ONNX 1.10–1.13, which introduced opset 17.
    public static let irVersion: Int64 = 8
    /// The default-domain operator set the exporter targets.
    public static let opsetVersion: Int64 = 17

    /// `TensorProto.DataType` values kdistill uses.
    public enum DataType: Int64, Sendable {
        case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7

        /// Bytes per element in `raw_data`.
        public var byteWidth: Int {
            switch self {
            case .float, .int32: return 4
            case .uint8, .int8: return 1
            case .int64: return 8
            }
        }
    }

    /// `ModelProto`.
    public struct Model: Equatable, Sendable {
        public var irVersion: Int64 = ONNX.irVersion
        public var opsetImports: [OpsetID] = [OpsetID(domain: "", version: ONNX.opsetVersion)]
        public var producerName = "kdistill"
        public var producerVersion = ""
        public var docString = ""
        public var graph = Graph()
        /// `metadata_props`, in order (keys distinct).
        public var metadata: [StringPair] = []

        public init() {}

        /// The value of metadata key `key`.
        public func metadataValue(_ key: String) -> String? { metadata.first { $0.key == key }?.value }
    }

    /// `OperatorSetIdProto`.
    public struct OpsetID: Equatable, Sendable {
        public var domain: String
        public var version: Int64
        public init(domain: String, version: Int64) { (self.domain, self.version) = (domain, version) }
    }

    /// `StringStringEntryProto`.
    public struct StringPair: Equatable, Sendable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { (self.key, self.value) = (key, value) }
    }

    /// `GraphProto`: nodes in topological order, constant tensors, typed inputs, outputs and intermediates.
    public struct Graph: Equatable, Sendable {
        public var name = ""
        public var nodes: [Node] = []
        public var initializers: [TensorValue] = []
        public var inputs: [ValueInfo] = []
        public var outputs: [ValueInfo] = []
        public var valueInfo: [ValueInfo] = []
        public init() {}
    }

    /// `NodeProto`.
    public struct Node: Equatable, Sendable {
        public var opType: String
        public var inputs: [String]
        public var outputs: [String]
        public var name: String
        public var domain = ""
        public var attributes: [Attribute] = []

        public init(_ opType: String, inputs: [String], outputs: [String], name: String, attributes: [Attribute] = []) {
            (self.opType, self.inputs, self.outputs, self.name, self.attributes) = (opType, inputs, outputs, name, attributes)
        }

        /// The attribute called `name`.
        public func attribute(_ name: String) -> AttributeValue? { attributes.first { $0.name == name }?.value }
    }

    /// The value of an `AttributeProto`; its case is the proto's `type`.
    public enum AttributeValue: Equatable, Sendable {
        case float(Float), int(Int64), string(String), floats([Float]), ints([Int64])

        /// `AttributeProto.AttributeType`.
        public var typeCode: Int64 {
            switch self {
            case .float: return 1
            case .int: return 2
            case .string: return 3
            case .floats: return 6
            case .ints: return 7
            }
        }
    }

    /// `AttributeProto`.
    public struct Attribute: Equatable, Sendable {
        public var name: String
        public var value: AttributeValue
        public init(_ name: String, _ value: AttributeValue) { (self.name, self.value) = (name, value) }
    }

    /// `TensorProto` with its elements in `raw_data` (little-endian, row-major).
    public struct TensorValue: Equatable, Sendable {
        public var name: String
        public var dims: [Int64]
        public var dataType: DataType
        public var rawData: [UInt8]

        public init(name: String, dims: [Int64], dataType: DataType, rawData: [UInt8]) {
            (self.name, self.dims, self.dataType, self.rawData) = (name, dims, dataType, rawData)
        }

        /// A float tensor of `shape` holding `values`.
        public init(name: String, shape: [Int], floats values: [Float]) {
            self.init(name: name, dims: shape.map(Int64.init), dataType: .float, rawData: values.littleEndianBytes)
        }

        /// The elements of a float tensor (nil for another type or a length that does not fit the dims).
        public var floats: [Float]? {
            guard dataType == .float, let n = elementCount, rawData.count == 4 * n else { return nil }
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let j = 4 * i
                let b0 = UInt32(rawData[j]), b1 = UInt32(rawData[j + 1]), b2 = UInt32(rawData[j + 2]), b3 = UInt32(rawData[j + 3])
                out[i] = Float(bitPattern: b0 | b1 << 8 | b2 << 16 | b3 << 24)
            }
            return out
        }

        /// The product of the dims (1 for a scalar); nil for a negative dim or a product past Int32.max.
        public var elementCount: Int? {
            var n: Int64 = 1
            for d in dims {
                guard d >= 0 else { return nil }
                let (p, overflow) = n.multipliedReportingOverflow(by: d)
                guard !overflow, p <= Int64(Int32.max) else { return nil }
                n = p
            }
            return Int(n)
        }
    }

    /// A dimension of a declared shape: a size, or a symbol such as `batch`.
    public enum Dimension: Equatable, Sendable {
        case value(Int64), param(String)
    }

    /// `ValueInfoProto` of a tensor: its name, element type and shape.
    public struct ValueInfo: Equatable, Sendable {
        public var name: String
        public var elementType: DataType
        public var shape: [Dimension]

        public init(name: String, elementType: DataType = .float, shape: [Dimension]) {
            (self.name, self.elementType, self.shape) = (name, elementType, shape)
        }
    }
}

// ProtoWriter: the Protocol Buffers wire format, written by hand (no package): varints, fixed 32/64-bit
// fields, length-delimited bytes and nested messages, packed repeated scalars. Generic: it knows no
// message; ONNX/ONNXEncoding.swift says which field is which.

/// The four wire types kdistill writes (groups, types 3 and 4, are deprecated and never written).
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Appends protobuf fields to a byte buffer.
public struct ProtoWriter {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty buffer.
    public init() {}

    /// A base-128 varint: 7 bits a byte, least significant group first, high bit set on all but the last.
    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The key of field `number`: `(number << 3) | wire type`.
    public mutating func tag(_ number: Int, _ type: WireType) {
        precondition(number > 0 && number < 1 << 29, "protobuf field number \(number) out of range")
        varint(UInt64(number) << 3 | UInt64(type.rawValue))
    }

    /// An `int64`/`int32`/enum field: two's complement as a varint (a negative value takes 10 bytes).
    public mutating func int(_ number: Int, _ value: Int64) {
        tag(number, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `float` field: fixed32, little-endian IEEE 754.
    public mutating func float(_ number: Int, _ value: Float) {
        tag(number, .fixed32)
        fixed32(value.bitPattern)
    }

    /// A `double` field: fixed64, little-endian IEEE 754.
    public mutating func double(_ number: Int, _ value: Double) {
        tag(number, .fixed64)
        fixed64(value.bitPattern)
    }

    /// A `bytes` field.
    public mutating func bytes(_ number: Int, _ value: [UInt8]) {
        tag(number, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ number: Int, _ value: String) { bytes(number, Array(value.utf8)) }

    /// An embedded message field: `body` writes the message's own fields.
    public mutating func message(_ number: Int, _ body: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        body(&inner)
        bytes(number, inner.bytes)
    }

    /// A packed repeated integer field: one length-delimited run of varints.
    public mutating func packedInts(_ number: Int, _ values: [Int64]) {
        var inner = ProtoWriter()
        for v in values { inner.varint(UInt64(bitPattern: v)) }
        bytes(number, inner.bytes)
    }

    /// A packed repeated float field: one length-delimited run of fixed32 values.
    public mutating func packedFloats(_ number: Int, _ values: [Float]) {
        var inner = ProtoWriter()
        for v in values { inner.fixed32(v.bitPattern) }
        bytes(number, inner.bytes)
    }

    /// Four bytes, little-endian.
    public mutating func fixed32(_ value: UInt32) {
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }

    /// Eight bytes, little-endian.
    public mutating func fixed64(_ value: UInt64) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }
}

extension Array where Element == Float {
    /// The floats as little-endian IEEE 754 bytes (ONNX `raw_data`, safetensors F32).
    public var littleEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: count * 4)
        for (i, v) in enumerated() {
            let b = v.bitPattern
            out[4 * i] = UInt8(truncatingIfNeeded: b)
            out[4 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
            out[4 * i + 2] = UInt8(truncatingIfNeeded: b >> 16)
            out[4 * i + 3] = UInt8(truncatingIfNeeded: b >> 24)
        }
        return out
    }
}

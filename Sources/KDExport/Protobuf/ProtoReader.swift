// ProtoReader: reads the Protocol Buffers wire format field by field, with every length and varint
// checked against the buffer (a malformed or truncated message is an error, never a crash). Generic:
// ONNX/ONNXDecoding.swift gives the fields their meaning.

/// A message that does not follow the wire format: what was wrong and at which byte.
public struct ProtoError: Error, CustomStringConvertible, Equatable {
    /// What was expected and found.
    public let message: String
    /// Byte offset in the buffer being read.
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "byte \(offset): \(message)" }
}

/// One field as read: its number and its raw value.
public struct ProtoField {
    /// The raw value of a field, by wire type.
    public enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    public let number: Int
    public let value: Value
    /// Offset of the field's key (names errors).
    public let offset: Int
}

/// Reads the fields of one message from `bytes` (a slice keeps its parent's indices, so offsets in
/// errors are offsets in the whole file).
public struct ProtoReader {
    let bytes: ArraySlice<UInt8>
    var position: Int

    /// A reader over `bytes`.
    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// A reader over all of `bytes`.
    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// Whether every field has been read.
    public var isAtEnd: Bool { position >= bytes.endIndex }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws -> ProtoField? {
        guard !isAtEnd else { return nil }
        let start = position
        let key = try readVarint()
        let number = key >> 3
        guard number > 0, number < 1 << 29 else { throw ProtoError("field number \(number) is out of range", at: start) }
        let value: ProtoField.Value
        switch key & 7 {
        case 0: value = .varint(try readVarint())
        case 1: value = .fixed64(try readFixed(8))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw ProtoError(
                    "field \(number) is \(length) bytes long, only \(bytes.endIndex - position) remain", at: start)
            }
            value = .lengthDelimited(bytes[position..<position + Int(length)])
            position += Int(length)
        case 5: value = .fixed32(UInt32(try readFixed(4)))
        case let type:
            throw ProtoError("field \(number) has wire type \(type) (expected 0, 1, 2 or 5; groups are not read)", at: start)
        }
        return ProtoField(number: Int(number), value: value, offset: start)
    }

    /// Reads a varint of at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        let start = position
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < bytes.endIndex else { throw ProtoError("truncated varint", at: start) }
            let byte = bytes[position]
            position += 1
            guard shift < 63 || byte <= 1 else { throw ProtoError("varint longer than 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return result }
        }
        throw ProtoError("varint longer than 10 bytes", at: start)
    }

    /// Reads `count` little-endian bytes.
    mutating func readFixed(_ count: Int) throws -> UInt64 {
        guard bytes.endIndex - position >= count else { throw ProtoError("truncated \(count * 8)-bit value", at: position) }
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(bytes[position + k]) << UInt64(8 * k) }
        position += count
        return v
    }
}

extension ProtoField {
    /// The field's varint as a signed integer (`int64`, `int32`, enums).
    public func int() throws -> Int64 {
        guard case .varint(let v) = value else { throw mismatch("an integer (wire type 0)") }
        return Int64(bitPattern: v)
    }

    /// The field's fixed32 as a float.
    public func float() throws -> Float {
        guard case .fixed32(let v) = value else { throw mismatch("a float (wire type 5)") }
        return Float(bitPattern: v)
    }

    /// The field's bytes.
    public func data() throws -> ArraySlice<UInt8> {
        guard case .lengthDelimited(let b) = value else { throw mismatch("bytes (wire type 2)") }
        return b
    }

    /// The field's bytes as UTF-8 text.
    public func string() throws -> String {
        guard let s = String(validating: try data(), as: UTF8.self) else {
            throw ProtoError("field \(number) is not UTF-8", at: offset)
        }
        return s
    }

    /// A reader over the embedded message this field holds.
    public func message() throws -> ProtoReader { ProtoReader(try data()) }

    /// Integers of a repeated field, packed (one run of varints) or not (this one value).
    public func ints() throws -> [Int64] {
        if case .varint(let v) = value { return [Int64(bitPattern: v)] }
        var r = ProtoReader(try data())
        var out: [Int64] = []
        while !r.isAtEnd { out.append(Int64(bitPattern: try r.readVarint())) }
        return out
    }

    /// Floats of a repeated field, packed (one run of fixed32) or not (this one value).
    public func floats() throws -> [Float] {
        if case .fixed32(let v) = value { return [Float(bitPattern: v)] }
        let b = try data()
        guard b.count % 4 == 0 else { throw ProtoError("packed floats of \(b.count) bytes (not a multiple of 4)", at: offset) }
        var r = ProtoReader(b)
        var out: [Float] = []
        while !r.isAtEnd { out.append(Float(bitPattern: UInt32(try r.readFixed(4)))) }
        return out
    }

    func mismatch(_ expected: String) -> ProtoError {
        ProtoError("field \(number): expected \(expected), found wire type \(wireType)", at: offset)
    }

    /// The wire type of the value.
    public var wireType: WireType {
        switch value {
        case .varint: return .varint
        case .fixed64: return .fixed64
        case .lengthDelimited: return .lengthDelimited
        case .fixed32: return .fixed32
        }
    }
}

// SafetensorsDType: the element types a safetensors file may hold, their sizes, and conversion of
// their little-endian bytes to and from Float (F16/BF16 rounded to nearest even on writing).

/// An element type as spelled in a safetensors header.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64: return 8
        case .F32, .I32: return 4
        case .F16, .BF16, .I16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// The supported spellings, for error messages.
    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Converts `count` elements at `src` (little-endian, any alignment) to Float.
    func decode(_ src: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .F32:
            #if _endian(little)
                UnsafeMutableRawPointer(out).copyMemory(from: src, byteCount: count * 4)
            #else
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            #endif
        case .F64:
            for i in 0..<count {
                out[i] = Float(
                    Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
            }
        case .F16:
            for i in 0..<count {
                out[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
            }
        case .BF16:
            for i in 0..<count {
                out[i] = Float(
                    bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
            }
        case .I64:
            for i in 0..<count { out[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        case .I32:
            for i in 0..<count { out[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        case .I16:
            for i in 0..<count { out[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
        case .I8:
            for i in 0..<count { out[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .U8:
            for i in 0..<count { out[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .BOOL:
            for i in 0..<count { out[i] = src.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
        }
    }

    /// Appends `count` Floats at `src` to `out` as little-endian elements of this type. Returns the
    /// index of the first value an integer type cannot hold exactly (nothing is appended then).
    func encode(_ src: UnsafePointer<Float>, count: Int, into out: inout [UInt8]) -> Int? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * byteSize)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        for i in 0..<count {
            let v = src[i]
            switch self {
            case .F32: put(v.bitPattern)
            case .F64: put(Double(v).bitPattern)
            case .F16: put(floatToHalf(v))
            case .BF16: put(floatToBFloat16(v))
            case .I64: guard let x = Int64(exactly: v) else { return i }; put(x)
            case .I32: guard let x = Int32(exactly: v) else { return i }; put(x)
            case .I16: guard let x = Int16(exactly: v) else { return i }; put(x)
            case .I8: guard let x = Int8(exactly: v) else { return i }; put(x)
            case .U8: guard let x = UInt8(exactly: v) else { return i }; put(x)
            case .BOOL: guard v == 0 || v == 1 else { return i }; put(UInt8(v))
            }
        }
        out.append(contentsOf: bytes)
        return nil
    }
}

/// IEEE half (binary16) bits to Float (exact).
func halfToFloat(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let exp = Int((h >> 10) & 0x1F), mant = UInt32(h & 0x3FF)
    if exp == 0 { return sign * Float(mant) * 0x1p-24 }
    if exp == 31 { return mant == 0 ? sign * .infinity : .nan }
    let bits = (UInt32(h & 0x8000) << 16) | (UInt32(exp - 15 + 127) << 23) | (mant << 13)
    return Float(bitPattern: bits)
}

/// Float to IEEE half bits, rounded to nearest even; overflow becomes infinity.
func floatToHalf(_ f: Float) -> UInt16 {
    let x = f.bitPattern
    let sign = UInt16((x >> 16) & 0x8000)
    let a = x & 0x7FFF_FFFF
    if a >= 0x7F80_0000 { return sign | 0x7C00 | (a > 0x7F80_0000 ? 0x200 : 0) }
    if a >= 0x477F_F000 { return sign | 0x7C00 }
    if a < 0x3880_0000 {
        let scaled = (Float(bitPattern: a) * 0x1p24).rounded(.toNearestOrEven)
        return sign | UInt16(scaled)
    }
    var h = ((a >> 23) - 112) << 10 | ((a & 0x7F_FFFF) >> 13)  // rebias: −127 + 15
    let rest = a & 0x1FFF
    if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }
    return sign | UInt16(h)
}

/// Float to bfloat16 bits, rounded to nearest even; NaN stays NaN.
func floatToBFloat16(_ f: Float) -> UInt16 {
    let x = f.bitPattern
    if f.isNaN { return UInt16(x >> 16) | 0x40 }
    return UInt16((x + 0x7FFF + ((x >> 16) & 1)) >> 16)
}

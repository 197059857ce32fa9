// SafetensorsParser: validates a safetensors file's bytes field by field before touching any
// tensor data: header length, UTF-8 JSON object, every entry's keys, dtype, shape and offsets,
// no overlap, full coverage of the data region, string metadata. Every failure is one line.

import KDJSON
import KDTensor

/// One header entry after validation.
private struct HeaderEntry {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let count: Int
    let begin: Int
    let end: Int
}

/// Parses the bytes of a whole safetensors file (see `SafetensorsFile.read`).
struct SafetensorsParser {
    let path: String
    let bytes: UnsafeRawBufferPointer

    private func error(_ what: String, _ expected: String, _ found: String, hint: String? = nil) -> CheckpointError {
        CheckpointError(path, what, expected: expected, found: found, hint: hint)
    }

    func parse() throws -> SafetensorsFile {
        let layout = try self.layout()
        var tensors: [(name: String, tensor: Tensor)] = []
        var dtypes: [String: SafetensorsDType] = [:]
        for e in layout.entries {
            let t = Tensor(uninitialized: e.shape)
            e.dtype.decode(bytes.baseAddress! + e.bytes.lowerBound, into: t.data, count: e.count)
            tensors.append((e.name, t))
            dtypes[e.name] = e.dtype
        }
        return SafetensorsFile(tensors: tensors, metadata: layout.metadata, dtypes: dtypes)
    }

    /// Validates the header and the layout of the data region without reading any tensor data.
    func layout() throws -> SafetensorsLayout {
        let size = bytes.count
        guard size >= 8, let base = bytes.baseAddress else {
            throw error("file size", "at least 8 bytes (the header length)", "\(size) bytes", hint: "empty or truncated file")
        }
        let n64 = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard n64 > 0 else { throw error("header length", "a positive byte count", "0") }
        guard n64 <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw error(
                "header length", "at most \(SafetensorsFile.maxHeaderBytes) bytes", "\(n64) bytes",
                hint: "not a safetensors file?")
        }
        let n = Int(n64)
        guard n <= size - 8 else {
            throw error(
                "header length", "at most \(size - 8) bytes (the rest of the file)", "\(n) bytes",
                hint: "truncated file?")
        }
        let headerBytes = UnsafeBufferPointer(start: (base + 8).assumingMemoryBound(to: UInt8.self), count: n)
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw error("header", "UTF-8 text", "invalid UTF-8")
        }
        let header: JSONValue
        do {
            header = try JSONValue(parsing: String(decoding: headerBytes, as: UTF8.self), maxDepth: 8)
        } catch {
            throw self.error("header", "a JSON object", "invalid JSON (\(error))")
        }
        guard case .object(let members) = header else { throw error("header", "a JSON object", header.typeName) }
        let dataStart = 8 + n, dataSize = size - dataStart
        var entries: [HeaderEntry] = []
        var metadata: [String: String] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(key, value, dataSize: dataSize))
            }
        }
        try checkLayout(entries, dataSize: dataSize)
        return SafetensorsLayout(
            entries: entries.map {
                .init(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: dataStart + $0.begin..<dataStart + $0.end)
            }, metadata: metadata)
    }

    private func parseMetadata(_ value: JSONValue) throws -> [String: String] {
        if case .null = value { return [:] }
        guard case .object(let members) = value else {
            throw error("__metadata__", "an object of strings", value.typeName)
        }
        var out: [String: String] = [:]
        for (k, v) in members {
            guard let s = v.stringValue else {
                throw error("__metadata__.\(snippet(k))", "a string", "\(v.typeName) \(snippet(v.formatted(.compact)))")
            }
            out[k] = s
        }
        return out
    }

    private func parseEntry(_ rawName: String, _ value: JSONValue, dataSize: Int) throws -> HeaderEntry {
        let name = snippet(rawName, limit: 120)
        guard case .object(let members) = value else {
            throw error(name, "an object with dtype, shape and data_offsets", value.typeName)
        }
        var fields: [String: JSONValue] = [:]
        for (k, v) in members {
            guard ["dtype", "shape", "data_offsets"].contains(k) else {
                throw error(name, "only the keys dtype, shape and data_offsets", "the key \(JSONValue.quoted(snippet(k)))")
            }
            fields[k] = v
        }
        for k in ["dtype", "shape", "data_offsets"] where fields[k] == nil {
            throw error("\(name).\(k)", "a value", "no such key")
        }
        let dtypeValue = fields["dtype"] ?? .null
        guard let dtype = dtypeValue.stringValue.flatMap(SafetensorsDType.init(rawValue:)) else {
            throw error("\(name).dtype", "one of \(SafetensorsDType.supportedList)", snippet(dtypeValue.formatted(.compact)))
        }
        let shapeValue = fields["shape"] ?? .null
        guard case .array(let dims) = shapeValue else {
            throw error("\(name).shape", "an array of non-negative integers", snippet(shapeValue.formatted(.compact)))
        }
        var shape: [Int] = []
        var count = 1
        for d in dims {
            guard case .int(let v) = d, v >= 0 else {
                throw error(
                    "\(name).shape", "an array of non-negative integers",
                    snippet(shapeValue.formatted(.compact)) + realNote(dims))
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: v)
            guard !overflow else {
                throw error("\(name).shape", "an element count that fits in 64 bits", snippet(shapeValue.formatted(.compact)))
            }
            shape.append(v)
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw error("\(name).shape", "a byte count that fits in 64 bits", snippet(shapeValue.formatted(.compact)))
        }
        let offsetsValue = fields["data_offsets"] ?? .null
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
            case .int(let begin) = offsets[0], case .int(let end) = offsets[1]
        else {
            throw error(
                "\(name).data_offsets", "two integers [begin, end]",
                snippet(offsetsValue.formatted(.compact)) + realNote(offsetsValue.arrayValue ?? []))
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw error(
                "\(name).data_offsets", "0 ≤ begin ≤ end ≤ \(dataSize) (the data size)",
                snippet(offsetsValue.formatted(.compact)), hint: end > dataSize ? "truncated file?" : nil)
        }
        guard end - begin == byteCount else {
            throw error(
                "\(name).data_offsets",
                "\(byteCount) bytes for \(dtype.rawValue) of shape \(shapeText(shape))",
                "\(end - begin) bytes (\(begin)..<\(end))")
        }
        return HeaderEntry(name: rawName, dtype: dtype, shape: shape, count: count, begin: begin, end: end)
    }

    /// " (element i is the real number x)" for the first non-integer number of `items`, else "".
    private func realNote(_ items: [JSONValue]) -> String {
        for (i, v) in items.enumerated() {
            if case .number(let x) = v { return " (element \(i) is the real number \(x))" }
        }
        return ""
    }

    /// Entries must not share bytes and together must cover the data region exactly.
    private func checkLayout(_ entries: [HeaderEntry], dataSize: Int) throws {
        let sorted = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        var previous: HeaderEntry?
        for e in sorted {
            if let p = previous, e.begin < p.end {
                throw error(
                    "\(snippet(e.name)).data_offsets", "bytes no other tensor uses",
                    "\(e.begin)..<\(e.end), overlapping \(snippet(p.name)) at \(p.begin)..<\(p.end)")
            }
            if e.begin > cursor {
                throw error(
                    "data region", "tensors covering every byte",
                    "bytes \(cursor)..<\(e.begin) belonging to no tensor")
            }
            cursor = Swift.max(cursor, e.end)
            previous = e
        }
        guard cursor == dataSize else {
            throw error(
                "data region", "\(cursor) bytes (the end of the last tensor)", "\(dataSize) bytes",
                hint: "trailing bytes after the tensors")
        }
    }
}

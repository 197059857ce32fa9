// SafetensorsFile: named tensors plus string metadata, read from and written to the safetensors
// layout (8-byte little-endian header length, JSON header, raw little-endian data). See docs/formats.md.

import Foundation
import KDJSON
import KDSupport
import KDTensor

/// The contents of one safetensors file: tensors in header order and the `__metadata__` map.
public struct SafetensorsFile {
    /// Tensors in header order (the order they were written in). Integer tensors are converted to Float.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` map (string → string).
    public var metadata: [String: String]
    /// Element type per tensor: as stored (after `read`), or to store (for `write`; F32 when absent).
    public var dtypes: [String: SafetensorsDType]

    /// Largest header accepted, in bytes (the limit of the reference implementation).
    public static let maxHeaderBytes = 100_000_000

    /// A file with the given contents; tensors absent from `dtypes` are written as F32.
    public init(
        tensors: [(name: String, tensor: Tensor)] = [], metadata: [String: String] = [:],
        dtypes: [String: SafetensorsDType] = [:]
    ) {
        self.tensors = tensors
        self.metadata = metadata
        self.dtypes = dtypes
    }

    /// The tensor named `name`, if present.
    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    /// Reads and validates the file at `path`; every defect is a one-line `CheckpointError`.
    public static func read(path: String) throws -> SafetensorsFile {
        let bytes = try CheckpointError.onFiles { try FileIO.readBytes(path, kind: "safetensors file") }
        return try decode(bytes, source: path)
    }

    /// Parses and validates the bytes of a whole safetensors file; `source` names errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> SafetensorsFile {
        try bytes.withUnsafeBytes { try SafetensorsParser(path: source, bytes: $0).parse() }
    }

    /// Writes the file atomically (temporary file in the same directory, fsync, rename). Header keys
    /// follow `tensors` order (`__metadata__` first, its keys sorted); the header is space-padded so
    /// the data starts at a multiple of 8 bytes.
    public func write(to path: String) throws {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__" else {
                throw CheckpointError(path, "tensor name", expected: "a name other than __metadata__", found: "__metadata__")
            }
            guard seen.insert(name).inserted else {
                throw CheckpointError(path, name, expected: "one tensor per name", found: "the name twice")
            }
        }
        var members = JSONObject()
        if !metadata.isEmpty {
            var sorted = JSONObject()
            for key in metadata.keys.sorted() { sorted[key] = .string(metadata[key] ?? "") }
            members["__metadata__"] = .object(sorted)
        }
        var offset = 0
        for (name, tensor) in tensors {
            let dtype = dtypes[name] ?? .F32
            let end = offset + tensor.count * dtype.byteSize
            members[name] = [
                "dtype": .string(dtype.rawValue), "shape": .array(tensor.shape.map(JSONValue.int)),
                "data_offsets": [.int(offset), .int(end)],
            ]
            offset = end
        }
        var header = Array(JSONValue.object(members).formatted(.compact).utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        try CheckpointError.onFiles { try write(header: header, to: path) }
    }

    /// Streams the length prefix, `header` and the tensor bytes into an atomically written file.
    private func write(header: [UInt8], to path: String) throws {
        try AtomicFile.write(to: path) { sink in
            var prefix = [UInt8]()
            withUnsafeBytes(of: UInt64(header.count).littleEndian) { prefix.append(contentsOf: $0) }
            try sink.write(prefix)
            try sink.write(header)
            for (name, tensor) in tensors {
                let dtype = dtypes[name] ?? .F32
                #if _endian(little)
                    if dtype == .F32 {
                        try sink.write(UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4))
                        continue
                    }
                #endif
                var bytes = [UInt8]()
                if let bad = dtype.encode(tensor.data, count: tensor.count, into: &bytes) {
                    throw CheckpointError(
                        path, name, expected: "values \(dtype.rawValue) can hold exactly",
                        found: "\(tensor.data[bad]) at element \(bad)")
                }
                try sink.write(bytes)
            }
        }
    }
}

/// Where each tensor of a safetensors file lies, validated like `SafetensorsFile.read` but without
/// copying any data: for files read in place (memory-mapped).
public struct SafetensorsLayout {
    /// One tensor of the file.
    public struct Entry {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Its bytes, as offsets from the start of the file.
        public let bytes: Range<Int>
        /// Number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Tensors in header order.
    public let entries: [Entry]
    /// The `__metadata__` map.
    public let metadata: [String: String]

    /// The tensor named `name`, if present.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// Validates the header of the whole file `bytes` (every defect a one-line `CheckpointError` naming `source`).
    public static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws -> SafetensorsLayout {
        try SafetensorsParser(path: source, bytes: bytes).layout()
    }
}

// ONNXFormatTests: ONNX messages with onnx.proto's field numbers (a value info and a node worked out
// byte by byte), whole exported models written and read back equal, the header fields (IR 8, opset 17,
// producer kdistill), what other writers may do (packed dims), and every truncation of a file an error.

import KDExport
import KDNN
import XCTest

final class ONNXFormatTests: XCTestCase {
    func bytes(_ body: (inout ProtoWriter) -> Void) -> [UInt8] {
        var w = ProtoWriter()
        body(&w)
        return w.bytes
    }

    func testValueInfoBytes() throws {
        var graph = ONNX.Graph()
        graph.outputs = [ONNX.ValueInfo(name: "x", shape: [.param("batch"), .value(3)])]
        // GraphProto.name (2) "" then output (12) → ValueInfoProto: name 1 "x", type 2 → TypeProto.tensor_type 1
        // → elem_type 1 = FLOAT, shape 2 → dim 1 {dim_param 2 "batch"}, dim 1 {dim_value 1 = 3}.
        let shape: [UInt8] = [0x0A, 0x07, 0x12, 0x05] + Array("batch".utf8) + [0x0A, 0x02, 0x08, 0x03]
        let tensorType: [UInt8] = [0x08, 0x01, 0x12, UInt8(shape.count)] + shape
        let type: [UInt8] = [0x0A, UInt8(tensorType.count)] + tensorType
        let valueInfo: [UInt8] = [0x0A, 0x01, 0x78, 0x12, UInt8(type.count)] + type
        var model = ONNX.Model()
        model.graph = graph
        model.opsetImports = []
        model.producerName = ""
        let expected: [UInt8] =
            [0x08, 0x08, 0x12, 0x00, 0x3A, UInt8(valueInfo.count + 4), 0x12, 0x00, 0x62, UInt8(valueInfo.count)] + valueInfo
        XCTAssertEqual(model.serialized(), expected)
        XCTAssertEqual(try ONNX.Model(decoding: expected), model)
    }

    func testNodeBytes() throws {
        let node = ONNX.Node(
            "Conv", inputs: ["x", "w"], outputs: ["y"], name: "c",
            attributes: [.init("strides", .ints([2, 2])), .init("epsilon", .float(1))])
        var model = ONNX.Model()
        model.graph.nodes = [node]
        let encoded = model.serialized()
        // NodeProto: input 1 "x", input 1 "w", output 2 "y", name 3 "c", op_type 4 "Conv", attribute 5
        // {name 1 "strides", ints 8: 2, ints 8: 2, type 20 = INTS (7)}, attribute 5 {name, f 2 = 1.0, type 20 = FLOAT (1)}.
        let strides: [UInt8] = [0x0A, 0x07] + Array("strides".utf8) + [0x40, 0x02, 0x40, 0x02, 0xA0, 0x01, 0x07]
        let epsilon: [UInt8] = [0x0A, 0x07] + Array("epsilon".utf8) + [0x15, 0x00, 0x00, 0x80, 0x3F, 0xA0, 0x01, 0x01]
        let nodeBytes: [UInt8] =
            [0x0A, 0x01, 0x78, 0x0A, 0x01, 0x77, 0x12, 0x01, 0x79, 0x1A, 0x01, 0x63, 0x22, 0x04] + Array("Conv".utf8)
            + [0x2A, UInt8(strides.count)] + strides + [0x2A, UInt8(epsilon.count)] + epsilon
        let graphField: [UInt8] = [0x0A, UInt8(nodeBytes.count)] + nodeBytes
        XCTAssertNotNil(encoded.firstRange(of: graphField), "the node's bytes")
        XCTAssertEqual(try ONNX.Model(decoding: encoded).graph.nodes, [node])
    }

    func testExportedModelRoundTripsWithItsHeaderAndMetadata() throws {
        let model = try randomizedModel("resnet8", [3, 8, 8])
        let onnx = try ONNXExport.model(
            model, normalization: randomNormalization(channels: 3), metadata: [ONNX.StringPair("class_names", #"["a","b"]"#)],
            producerVersion: "9.9")
        let bytes = onnx.serialized()
        let decoded = try ONNX.Model(decoding: bytes)
        XCTAssertEqual(decoded, onnx)
        XCTAssertEqual(decoded.irVersion, 8)
        XCTAssertEqual(decoded.opsetImports, [ONNX.OpsetID(domain: "", version: 17)])
        XCTAssertEqual(decoded.producerName, "kdistill")
        XCTAssertEqual(decoded.producerVersion, "9.9")
        XCTAssertEqual(decoded.metadataValue("class_names"), #"["a","b"]"#)
        XCTAssertEqual(decoded.metadataValue("normalization_in_graph"), "folded")
        XCTAssertEqual(decoded.metadataValue("batch_norm"), "folded")
        // Every initializer holds as many floats as its dims say, and every name is distinct.
        for t in decoded.graph.initializers { XCTAssertEqual(t.floats?.count, t.elementCount, t.name) }
        let names = decoded.graph.initializers.map(\.name) + decoded.graph.nodes.flatMap(\.outputs)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(decoded.graph.name, "resnet8")
    }

    func testPackedDimsAndUnknownFieldsAreRead() throws {
        let tensor = bytes { t in
            t.packedInts(1, [2, 1])  // dims, packed (another writer's choice)
            t.int(2, 1)
            t.string(8, "w")
            t.string(12, "a doc string kdistill does not keep")
            t.bytes(9, [Float(1), 2].littleEndianBytes)
        }
        let model = bytes { m in
            m.int(1, 8)
            m.int(5, 3)  // model_version: skipped
            m.message(7) { g in g.bytes(5, tensor) }
        }
        let decoded = try ONNX.Model(decoding: model)
        XCTAssertEqual(decoded.graph.initializers.first?.dims, [2, 1])
        XCTAssertEqual(decoded.graph.initializers.first?.floats, [1, 2])
    }

    func testTruncatedOrDamagedFilesAreErrors() throws {
        let onnx = try ONNXExport.model(try randomizedModel("mlp-8", [1, 4, 4]), normalization: .init(mean: [0.5], std: [0.25]))
        let bytes = onnx.serialized()
        var failures = 0
        for n in 0..<bytes.count {
            do {
                // A cut that ends between fields can decode; what decodes must not be the whole model.
                let partial = try ONNX.Model(decoding: Array(bytes.prefix(n)))
                XCTAssertNotEqual(partial, onnx, "prefix \(n)")
            } catch is ProtoError { failures += 1 } catch { XCTFail("prefix \(n): \(error)") }
        }
        XCTAssertGreaterThan(failures, bytes.count / 2)
        var damaged = bytes
        damaged[damaged.count / 2] ^= 0xFF
        _ = try? ONNX.Model(decoding: damaged)  // an error or a different model, never a crash
        XCTAssertThrowsError(try ONNX.Model(decoding: [])) { XCTAssertTrue("\($0)".contains("no graph")) }
    }
}

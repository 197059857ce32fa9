// CombinationTests: the registry's one combine rule. `x+kd` and `kd+x` are one method (spelled x+kd)
// with kd's weights (RepDistiller: CE 0.1, KD 0.9, T 4) plus the method's own, and train identically;
// methods that do not combine are refused with one line.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class CombinationTests: XCTestCase {
    typealias Kit = FeatureMethodKit

    func resolved(_ name: String) throws -> ResolvedMethod { try MethodRegistry.resolve(name) }

    func defaults(_ r: ResolvedMethod) -> ParamValues { ParamValues(defaults: r.specs, path: "method") }

    func testEitherOrderIsOneMethodWithKDsWeights() throws {
        let own: [String: [String: Double]] = [
            "at": ["beta": 1000], "rkd": ["distance_weight": 25, "angle_weight": 50], "sp": ["gamma": 3000],
            "pkt": ["pkt_weight": 30000], "cc": ["embed_dim": 128], "nst": ["nst_weight": 50], "kdsvd": ["kdsvd_weight": 1],
            "vid": ["vid_weight": 1],
            "ofd": ["ofd_weight": 0.001], "ab": ["margin": 1], "reviewkd": ["review_weight": 1], "crd": ["crd_weight": 0.8],
            "ft": ["paraphraser_lr": 0.01],
        ]
        let addOns = MethodRegistry.all.filter(\.combinable).map(\.name)
        XCTAssertEqual(Set(addOns), Set(own.keys))
        for x in addOns {
            let a = try resolved(x + "+kd"), b = try resolved("kd+" + x)
            XCTAssertEqual(a, b, "\(x)+kd and kd+\(x)")
            XCTAssertEqual(a.name, x + "+kd")
            XCTAssertEqual(a.parts, [x, "kd"])
            let p = defaults(a)
            XCTAssertEqual(try p.double("ce_weight"), 0.1, x)
            XCTAssertEqual(try p.double("kd_weight"), 0.9, x)
            XCTAssertEqual(try p.double("T"), 4, x)
            XCTAssertEqual(try p.bool("cache_teacher"), false, x)
            let alone = defaults(try resolved(x))
            XCTAssertEqual(try alone.double("ce_weight"), 1, "\(x) alone keeps its own CE weight")
            for (key, value) in own[x] ?? [:] {
                XCTAssertEqual(try p.double(key), value, "\(x)+kd: \(key)")
                XCTAssertEqual(try alone.double(key), value, "\(x): \(key)")
            }
        }
        XCTAssertEqual(try resolved("kd+sp+at"), try resolved("at+sp+kd"))
        XCTAssertEqual(try resolved("sp+kd+at").name, "at+sp+kd")
        XCTAssertEqual(try resolved("sp+at").name, "at+sp", "add-ons in listing order")
        XCTAssertEqual(
            try resolved("kd").specs, KD.params + [Quantization.param], "the registry adds quantize to single students")
    }

    func testBothSpellingsTrainIdentically() throws {
        for x in ["at", "rkd", "sp", "pkt", "cc", "nst", "kdsvd", "vid", "ofd"] {
            var totals: [[Float]] = []
            var names: [[String]] = []
            for parts in [[x, "kd"], ["kd", x]] {
                let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
                let method = try MethodRegistry.buildSingle(
                    parts: parts, params: defaults(try resolved(parts.joined(separator: "+"))), setup: setup)
                let terms = method.losses(Kit.step(setup, stage: Stage("train", epochs: 6)))
                names.append(terms.map(\.name))
                totals.append(terms.map(\.value.item))
            }
            XCTAssertEqual(names[0], names[1], x)
            XCTAssertEqual(totals[0], totals[1], "\(x): the same loss terms, bit for bit")
            XCTAssertEqual(names[0].last, "kd", x)
        }
    }

    func testPartsThatDoNotCombineAreRefused() {
        func message(_ name: String) -> String {
            do { _ = try MethodRegistry.resolve(name) } catch { return "\(error)" }
            return "(resolved)"
        }
        XCTAssertEqual(
            message("fitnet+kd"),
            "method.name: 'fitnet' cannot be combined (in 'fitnet+kd'); combine a feature or relation method with kd (at+kd)")
        XCTAssertEqual(message("kd+ban"), "method.name: 'ban' is a pipeline method and cannot be combined with '+' (in 'kd+ban')")
        XCTAssertEqual(message("at+at"), "method.name: method 'at' appears twice in 'at+at'")
        XCTAssertEqual(message("at+kdd"), "method.name: unknown method 'kdd' in 'at+kdd'")
        XCTAssertEqual(message("dml"), "(resolved)", "a multi-model method alone is fine")
    }

    func testTheRuleIsDescribedWithEachCombinationsDefaults() {
        let text = MethodRegistry.catalog.ruleText
        XCTAssertTrue(text.contains("kd+x are the same method"), text)
        for x in ["at", "rkd", "sp", "pkt", "cc", "nst", "kdsvd", "vid", "ofd"] {
            let line = text.split(separator: "\n").first { $0.contains("\(x)+kd:") }.map(String.init) ?? ""
            for part in ["ce_weight 0.1", "kd_weight 0.9", "T 4"] { XCTAssertTrue(line.contains(part), "\(x): \(line)") }
        }
        XCTAssertTrue(text.contains("beta 1000") && text.contains("gamma 3000"), text)
    }
}

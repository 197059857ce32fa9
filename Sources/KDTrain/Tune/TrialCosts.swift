// TrialCosts: the static costs of a trial's network (beyond.md 4.5): parameters and FLOPs counted on the
// built network, batch-1 latency measured once per architecture on this machine and kept in latency.json.

import Foundation
import KDJSON
import KDMethods
import KDNN
import KDSupport

/// Measures (and caches) the costs a study needs.
final class TrialCosts {
    let needed: [StudyMetric]
    let latencyPath: String
    private var cache: [String: [String: Double]] = [:]

    init(needed: [StudyMetric], studyDir: String) {
        self.needed = needed
        latencyPath = studyDir + "/latency.json"
    }

    /// The network a trial trains and is judged on: the student, or the model of a train-teacher config.
    static func network(_ config: ExperimentConfig) -> ModelConfig? { config.student ?? config.model }

    /// `needed` costs of `config`'s network, keyed by metric name (empty when none are needed).
    func costs(_ config: ExperimentConfig) throws -> [String: Double] {
        guard !needed.isEmpty, let network = Self.network(config) else { return [:] }
        guard let shape = config.data.studentInputShape else {
            throw ConfigError(
                source: config.source, path: "data.student_data",
                message: "costs (params, flops, latency_ms) need the network's input shape, which paired files decide: "
                    + "leave costs out of this study")
        }
        let key = "\(network.name) \(shape.map(String.init).joined(separator: "x")) \(config.data.numClasses)"
        if let known = cache[key] { return known }
        let spec = ModelSpec(
            name: network.name, inputShape: shape, numClasses: config.data.numClasses,
            dropout: Float(network.dropout), headDropout: Float(network.headDropout),
            stochasticDepth: Float(network.stochasticDepth))
        let model = try Zoo.build(spec, seed: 0)
        var result: [String: Double] = [:]
        for m in needed {
            if m == .latencyMs, let kept = try latencyFile()[key]?.doubleValue {
                result[m.rawValue] = kept
                continue
            }
            result[m.rawValue] = m.cost(model)
            if m == .latencyMs {
                var file = try latencyFile()
                file[key] = .number(result[m.rawValue]!)
                do { try AtomicFile.write(Array((JSONValue.object(file).formatted() + "\n").utf8), to: latencyPath) } catch {
                    throw RunError("\(latencyPath): cannot write (\(error))")
                }
            }
        }
        cache[key] = result
        return result
    }

    /// latency.json: milliseconds per architecture key (machine-dependent; delete it to measure again).
    func latencyFile() throws -> JSONObject {
        guard let text = try? String(contentsOfFile: latencyPath, encoding: .utf8) else { return JSONObject() }
        guard let object = (try? JSONValue(parsing: text))?.objectValue else {
            throw RunError("\(latencyPath): expected a JSON object of milliseconds per architecture")
        }
        return object
    }
}

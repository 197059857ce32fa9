// ResumeState: where a run stopped (next epoch and batch, best score so far, the dropout generator, the
// partial epoch's sums), saved with the optimizer state in resume.safetensors after every epoch and on a signal.

import Foundation
import KDNN
import KDTensor

/// Progress a resumed run continues from.
struct ResumeState: Codable, Equatable {
    /// Next epoch to run (0-based) and next batch within it.
    var epoch = 0
    var batch = 0
    var bestScore = -1.0
    var bestEpoch = 0
    /// Dropout generator state of the learner.
    var rng: [UInt64] = []
    /// Partial-epoch accumulators: weighted loss sums per term, correct predictions, images seen.
    var sums: [String: Double] = [:]
    var correct = 0
    var seen = 0
    var trainSeconds = 0.0
    /// Wall time of the run so far.
    var elapsed = 0.0

    /// Writes the state and `learner`'s optimizer/extra tensors to `path` atomically.
    func save(to path: String, learner: Learner) throws {
        var state = self
        state.rng = learner.context.rng.state
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        let file = SafetensorsFile(tensors: learner.resumeTensors(), metadata: ["format": "kdistill.resume.v1", "resume": json])
        do { try file.write(to: path) } catch { throw RunError("\(path): cannot write the resume state (\(error))") }
    }

    /// Reads the state saved at `path` (and the file, for `restore`).
    static func read(from path: String) throws -> (ResumeState, SafetensorsFile) {
        let file = try SafetensorsFile.read(path: path)
        guard let text = file.metadata["resume"], let state = try? JSONDecoder().decode(ResumeState.self, from: Data(text.utf8)),
            SeededGenerator(state: state.rng) != nil
        else {
            throw RunInputError("\(path): expected a kdistill resume state, found none (not written by kdistill train/distill?)")
        }
        return (state, file)
    }

    /// Puts the saved optimizer state, extra parts and generator into `learner` (whose stage is set up).
    func restore(_ file: SafetensorsFile, into learner: Learner, source: String) throws {
        try learner.restore(from: file.tensors, source: source)
        if let rng = SeededGenerator(state: rng) { learner.context.rng = rng }
    }
}

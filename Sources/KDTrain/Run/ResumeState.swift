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
    /// Labelled images among `seen` (all of them unless `data.labeled`).
    var labeledSeen = 0
    var trainSeconds = 0.0
    /// Wall time of the run so far.
    var elapsed = 0.0

    init() {}

    /// The state at the start of epoch `nextEpoch` (empty sums), with the best so far and the wall time.
    init(nextEpoch: Int, bestScore: Double, bestEpoch: Int, elapsed: Double) {
        (epoch, self.bestScore, self.bestEpoch, self.elapsed) = (nextEpoch, bestScore, bestEpoch, elapsed)
    }

    /// Reads a saved state; one written before `labeledSeen` existed counted every image as labelled.
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        (epoch, batch) = (try c.decode(Int.self, forKey: .epoch), try c.decode(Int.self, forKey: .batch))
        (bestScore, bestEpoch) = (try c.decode(Double.self, forKey: .bestScore), try c.decode(Int.self, forKey: .bestEpoch))
        rng = try c.decode([UInt64].self, forKey: .rng)
        sums = try c.decode([String: Double].self, forKey: .sums)
        (correct, seen) = (try c.decode(Int.self, forKey: .correct), try c.decode(Int.self, forKey: .seen))
        labeledSeen = try c.decodeIfPresent(Int.self, forKey: .labeledSeen) ?? seen
        trainSeconds = try c.decode(Double.self, forKey: .trainSeconds)
        elapsed = try c.decode(Double.self, forKey: .elapsed)
    }

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

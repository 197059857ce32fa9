// CorruptionStreams: kdistill's seeding rule for the random corruptions, written once: one generator
// per (corruption, severity, image), so images can be corrupted in parallel and still repeat exactly.

import KDTensor

/// The random streams of the noise corruptions.
///
/// kdistill's rule (a refinement of beyond.md §2.3's "one stream per (corruption, severity), images in
/// file order", so that images are independent and can be corrupted in parallel): image `i` (0-based, in
/// the order of the dataset being corrupted) under `corruption` at `severity` draws from
/// `SeededGenerator(seed: seed, streams: [corruption.index, severity, i])`, i.e.
/// `mix(mix(mix(seed, corruption.index), severity), i)` with kdistill's one seed-mixing rule
/// (`SeededGenerator.mix`), `corruption.index` the 0-based table order.
/// Within an image, pixels are visited in storage order: channel planes in turn, each row-major.
public enum CorruptionStreams {
    /// The seed of image `image`'s stream under (`corruption`, `severity`) and the user's `seed`.
    public static func seed(_ seed: UInt64, corruption: Corruption, severity: Int, image: Int) -> UInt64 {
        SeededGenerator.seed(seed, streams: [UInt64(corruption.index), UInt64(severity), UInt64(image)])
    }

    /// The generator of image `image` under (`corruption`, `severity`, `seed`).
    public static func generator(_ seed: UInt64, corruption: Corruption, severity: Int, image: Int) -> SeededGenerator {
        SeededGenerator(seed: self.seed(seed, corruption: corruption, severity: severity, image: image))
    }
}

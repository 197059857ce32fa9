// ClassCountFixtures: tiny datasets with a given number of images per class, and the per-class counts of
// a chosen subset: what the subset tests (labelled, long-tailed) build on.

import KDData

enum ClassCountFixtures {
    /// `perClass[c]` single-pixel images of each class c, classes interleaved.
    static func dataset(_ perClass: [Int]) throws -> ImageDataset {
        var labels: [Int32] = []
        for round in 0..<(perClass.max() ?? 0) {
            for (c, n) in perClass.enumerated() where round < n { labels.append(Int32(c)) }
        }
        return try ImageDataset(
            pixels: labels.indices.map { UInt8($0 % 256) }, labels: labels, channels: 1, height: 1, width: 1,
            numClasses: perClass.count)
    }

    /// Images per class among `indices` of `ds`.
    static func counts(_ ds: ImageDataset, _ indices: [Int]) -> [Int] {
        var c = [Int](repeating: 0, count: ds.numClasses)
        for i in indices { c[Int(ds.labels[i])] += 1 }
        return c
    }
}

// SelfTraining: one Noisy Student generation (Xie et al. 2020): the teacher labels the unlabelled
// training images once (eval mode, clean images), they are filtered and balanced, and the noised student
// trains from scratch on b_l labelled + r·b_l pseudo-labelled images per step. pseudo.json records it.

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

/// Runs a Noisy Student generation.
enum SelfTraining {
    /// Pseudo-labels with the checkpoint at `teacherPath`, then trains `learner` into `dir` under `config`
    /// (whose `batch_size` is b_l); returns the run's summary.json.
    static func run(
        _ labeling: PseudoLabeling, teacherPath: String, config: ExperimentConfig, data: ExperimentData, learner: Learner,
        dir: RunDirectory, resume: Bool
    ) throws -> JSONValue {
        let teacher = try Teachers.load(teacherPath, fallback: config.teacher?.model, data: data)
        if teacher.parameterCount > learner.model.parameterCount {
            ProgressDisplay.log(
                "kdistill: warning: \(learner.name) (\(learner.model.spec.name), \(learner.model.parameterCount) parameters) is smaller "
                    + "than its teacher (\(teacher.spec.name), \(teacher.parameterCount)); Noisy Student's students are equal or larger"
            )
        }
        let hidden = data.train.labels.indices.filter { data.train.labels[$0] < 0 }
        guard !hidden.isEmpty else {
            throw RunInputError("method.name: noisy-student needs unlabelled images: set data.labeled or data.transfer")
        }
        let pool = data.trainImages.subset(indices: hidden)
        let labelled = data.trainImages.subset(indices: data.train.labels.indices.filter { data.train.labels[$0] >= 0 })
        guard labelled.count > 0 else { throw RunInputError("data.labeled: noisy-student needs labelled images as well") }

        let logits = Evaluator.logits(
            teacher,
            try BatchLoader(dataset: pool, normalization: data.normalization, batchSize: config.evalBatchSize, shuffle: false))
        let chosen = labeling.select(logits)
        guard !chosen.isEmpty else {
            throw RunInputError("method.threshold: no unlabelled image reaches confidence \(labeling.threshold); lower it")
        }
        let pseudo = pool.subset(indices: chosen)
        let images = try pseudo.appending(labelled)
        // Targets by training position: the chosen images' pseudo-labels, then zero rows for the labelled ones.
        let k = data.numClasses
        let targets = Tensor.zeros([images.count, k])
        let q = labeling.targets(logits)
        for (row, i) in chosen.enumerated() { (targets.data + row * k).update(from: q.data + i * k, count: k) }
        try dir.create()
        try dir.write(
            record(labeling, logits: logits, chosen: chosen, pool: pool, comparable: data.hiddenLabelsComparable).formatted()
                + "\n",
            to: dir.path + "/pseudo.json")
        ProgressDisplay.log(
            "\(learner.name): \(chosen.count) pseudo-labelled images from \(pool.count) unlabelled, with \(labelled.count) labelled"
        )

        let generation = try ExperimentData(
            data, training: images, labeled: Array(pseudo.count..<images.count), perBatch: config.batchSize,
            batchSize: config.batchSize * (1 + labeling.unlabeledRatio), seed: config.seed)
        let method = NoisyStudentLoss(targets: targets, ratio: labeling.unlabeledRatio, labelSmoothing: labeling.labelSmoothing)
        return try TrainingRun(
            config: config, data: generation, learner: learner, teachers: .none, method: method, methodName: "noisy-student",
            dir: dir
        ).run(resume: resume)
    }

    /// pseudo.json: per predicted class the images kept (with repeats) and distinct, mean confidence, and the
    /// pseudo-labels' accuracy when the pool's true labels are comparable (a diagnostic, never used to train).
    static func record(_ labeling: PseudoLabeling, logits: Tensor, chosen: [Int], pool: ImageDataset, comparable: Bool)
        -> JSONValue
    {
        let (n, k) = (logits.shape[0], logits.shape[1])
        let probabilities = noGrad { logits.softmax(axis: 1) }
        var predicted = [Int](repeating: 0, count: n), confidence = [Float](repeating: 0, count: n)
        var correct = 0
        for i in 0..<n {
            let (p, c) = Vector.argmax(probabilities.data + i * k, k)
            (predicted[i], confidence[i]) = (c, p)
            if c == Int(pool.labels[i]) { correct += 1 }
        }
        var kept = [Int](repeating: 0, count: k), distinct = [Set<Int>](repeating: [], count: k)
        var confidenceSum = [Double](repeating: 0, count: k)
        for i in chosen {
            kept[predicted[i]] += 1
            distinct[predicted[i]].insert(i)
            confidenceSum[predicted[i]] += Double(confidence[i])
        }
        var out: JSONObject = [
            "pool": .int(n), "kept": .int(chosen.count), "threshold": .number(Double(labeling.threshold)),
            "pseudo": .string(labeling.hard ? "hard" : "soft"), "balance": .bool(labeling.balance),
            "kept_per_class": .array(kept.map(JSONValue.int)),
            "distinct_per_class": .array(distinct.map { .int($0.count) }),
            "mean_confidence_per_class": .array(
                (0..<k).map { kept[$0] > 0 ? .number((confidenceSum[$0] / Double(kept[$0]) * 1e4).rounded() / 1e4) : .null }),
        ]
        if comparable { out["pool_pseudo_label_accuracy"] = .number((Double(correct) / Double(max(n, 1)) * 1e4).rounded() / 1e4) }
        return .object(out)
    }
}

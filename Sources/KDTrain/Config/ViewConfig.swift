// ViewConfig: the keys of cross-view distillation (beyond.md §5.1): `data.student_view` (transforms, one
// object or a list) and `data.student_data` (paired files): their schema, decoding, resolved JSON, and the
// rules they bring (no augmentation, no transfer set). Checkpoints store the same JSON (DataView+Metadata).

import KDData
import KDMethods

extension ConfigSchema {
    /// Keys of one transform of `data.student_view`: exactly one of the transforms (seed goes with noise).
    public static let viewStep: [ParamSpec] = [
        ParamSpec("downsample", .list(.integer(.positive), count: 2), default: .absent, doc: "area averaging to [height, width]"),
        ParamSpec("crop", .object(viewCrop), default: .absent, doc: "the rectangle {top, left, height, width}"),
        ParamSpec(
            "noise", .number(.nonNegative), default: .absent,
            doc: "Gaussian noise of this std in [0, 1] pixel space, clipped to [0, 1]; image i of its file draws from (seed, i)"),
        ParamSpec("seed", .integer(.nonNegative), default: .absent, doc: "the noise's seed (absent: 0; noise only)"),
        ParamSpec("blur", .number(.positive), default: .absent, doc: "Gaussian blur of this sigma in pixels, edges replicated"),
        ParamSpec("channel", .integer(.nonNegative), default: .absent, doc: "keep this channel alone"),
    ]

    /// Keys of a crop.
    public static let viewCrop: [ParamSpec] = [
        ParamSpec("top", .integer(.nonNegative), default: .required, doc: "first row"),
        ParamSpec("left", .integer(.nonNegative), default: .required, doc: "first column"),
        ParamSpec("height", .integer(.positive), default: .required, doc: "rows"),
        ParamSpec("width", .integer(.positive), default: .required, doc: "columns"),
    ]

    /// Keys of `data.student_data`.
    public static let studentData: [ParamSpec] = [
        ParamSpec(
            "format", .string(choices: PairedSource.Format.allCases.map(\.rawValue)), default: .required,
            doc: "idx (images idx3/idx4, optional IDX1 labels) or cifar (records of a label byte and C*H*W pixels)"),
        ParamSpec("dir", .string(), default: ".", doc: "directory the file names are relative to"),
        ParamSpec("train", .string(), default: .required, doc: "the training split's images, in data's training file order"),
        ParamSpec("test", .string(), default: .required, doc: "the test split's images, in data's test file order"),
        ParamSpec("train_labels", .string(), default: .absent, doc: "idx: the training labels, checked against data's"),
        ParamSpec("test_labels", .string(), default: .absent, doc: "idx: the test labels, checked against data's"),
        ParamSpec(
            "shape", .list(.integer(.positive), count: 3), default: .absent,
            doc: "[C, H, W] of a record (cifar; default [3, 32, 32]); for idx checked against the file"),
    ]

    /// The two keys as `data` declares them.
    static let viewKeys: [ParamSpec] = [
        ParamSpec(
            "student_view", .list(.object(viewStep)), default: .absent,
            doc: "transforms of the student's copy of each image (the teacher reads the original), one object or a list "
                + "applied in order; normalised with the view's own training statistics"),
        ParamSpec(
            "student_data", .object(studentData), default: .absent,
            doc: "paired files the student reads in place of data's, sample for sample (counts and labels must agree)"),
    ]
}

extension ExperimentConfig {
    /// The transforms of a `student_view` value (schema-checked) at `path`; every error names the step.
    static func imageView(_ value: ParamValue, path: String, decoder: ParamDecoder) throws -> ImageView {
        guard case .list(let items) = value, !items.isEmpty else {
            throw decoder.error(path, "expected at least one transform, found an empty list")
        }
        var steps: [ViewStep] = []
        for (k, item) in items.enumerated() {
            guard case .object(let s) = item else { throw decoder.error("\(path)[\(k)]", "expected an object") }
            let at = items.count == 1 ? path : "\(path)[\(k)]"
            let given = ["downsample", "crop", "noise", "blur", "channel"].filter(s.contains)
            guard given.count == 1 else {
                throw decoder.error(
                    at,
                    "expected exactly one of downsample, crop, noise, blur and channel, found "
                        + (given.isEmpty ? "none" : given.joined(separator: " and ")))
            }
            if s.contains("seed"), given[0] != "noise" {
                throw decoder.error(at + ".seed", "expected only with noise, found it with \(given[0])")
            }
            switch given[0] {
            case "downsample":
                let size = try s.ints("downsample")
                steps.append(.downsample(height: size[0], width: size[1]))
            case "crop":
                let c = try s.object("crop")
                steps.append(
                    .crop(top: try c.int("top"), left: try c.int("left"), height: try c.int("height"), width: try c.int("width")))
            case "noise": steps.append(.noise(sigma: try s.double("noise"), seed: UInt64(try s.optionalInt("seed") ?? 0)))
            case "blur": steps.append(.blur(sigma: try s.double("blur")))
            default: steps.append(.channel(try s.int("channel")))
            }
        }
        return ImageView(steps)
    }

    /// The paired files of a `student_data` object (schema-checked) at `path`.
    static func pairedSource(_ p: ParamValues, path: String, decoder: ParamDecoder) throws -> PairedSource {
        let format = try enumValue(PairedSource.Format.self, p, "format")
        if format == .cifar, let key = ["train_labels", "test_labels"].first(where: p.contains) {
            throw decoder.error("\(path).\(key)", "expected no label file with format cifar (its records carry their labels)")
        }
        return PairedSource(
            format: format, dir: try p.string("dir"), train: try p.string("train"), test: try p.string("test"),
            trainLabels: try p.optionalString("train_labels"), testLabels: try p.optionalString("test_labels"),
            shape: p.contains("shape") ? try p.ints("shape") : nil)
    }

    /// `data.student_view` and `data.student_data` into `data`, with the rules they bring: the images stay the
    /// same samples in the same order for both networks, so no augmentation and no transfer set; a view of data's
    /// own images must fit their shape.
    static func decodeViews(_ d: ParamValues, into data: inout DataConfig, decoder: ParamDecoder) throws {
        if let value = d["student_view"] { data.studentView = try imageView(value, path: "data.student_view", decoder: decoder) }
        if d.contains("student_data") {
            data.studentData = try pairedSource(try d.object("student_data"), path: "data.student_data", decoder: decoder)
        }
        guard let key = data.viewKey else { return }
        if data.cropPadding > 0 || data.flip {
            throw decoder.error(
                "data.augment",
                "expected no augmentation with data.\(key) (both networks must see the same samples; kdistill applies no "
                    + "crop or flip to two views alike), found crop_padding \(data.cropPadding), flip \(data.flip)")
        }
        if data.transfer != nil {
            throw decoder.error("data.transfer", "expected no transfer set with data.\(key) (views pair data's own files)")
        }
        if let view = data.studentView, data.studentData == nil {
            do { _ = try view.outputShape(data.dataset.inputShape, context: "data.student_view") } catch let e as DataError {
                throw decoder.error(e.file, "expected \(e.expected) for \(data.dataset.rawValue), found \(e.found)")
            }
        }
    }

    /// `student_view` as resolved JSON: a list of one-key objects (noise with its seed).
    static func json(_ view: ImageView) -> JSONValue {
        .array(
            view.steps.map { step -> JSONValue in
                switch step {
                case let .downsample(h, w): return ["downsample": [.int(h), .int(w)]]
                case let .crop(top, left, h, w):
                    return ["crop": ["top": .int(top), "left": .int(left), "height": .int(h), "width": .int(w)]]
                case let .noise(sigma, seed): return ["noise": .number(sigma), "seed": .int(Int(seed))]
                case .blur(let sigma): return ["blur": .number(sigma)]
                case .channel(let c): return ["channel": .int(c)]
                }
            })
    }

    /// `student_data` as resolved JSON.
    static func json(_ p: PairedSource) -> JSONValue {
        var o: JSONObject = [
            "format": .string(p.format.rawValue), "dir": .string(p.dir), "train": .string(p.train), "test": .string(p.test),
        ]
        o["train_labels"] = p.trainLabels.map(JSONValue.string)
        o["test_labels"] = p.testLabels.map(JSONValue.string)
        o["shape"] = p.shape.map { .array($0.map(JSONValue.int)) }
        return .object(o)
    }
}

extension DataConfig {
    /// `student_view` or `student_data` (the first set), for messages; nil when the student reads data's images.
    public var viewKey: String? { studentView != nil ? "student_view" : studentData != nil ? "student_data" : nil }

    /// What the trained network reads (the student of distill, the model of train-teacher).
    public var view: DataView { DataView(paired: studentData, transforms: studentView ?? ImageView()) }

    /// The trained network's input shape `[C, H, W]` when the config alone decides it (nil with paired files,
    /// whose shape is in the files): the dataset's, through the view.
    public var studentInputShape: [Int]? {
        guard studentData == nil else { return nil }
        return (try? (studentView ?? ImageView()).outputShape(dataset.inputShape, context: "data.student_view"))
            ?? dataset.inputShape
    }
}

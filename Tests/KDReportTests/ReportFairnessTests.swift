// ReportFairnessTests: `report --fairness` on hand-written runs of five classes: a resnet20 teacher, a
// one-hot lenet5 student (S_ce) and a distilled lenet5 (S_kd), two seeds each, with training counts. The
// seed averages, head/medium/tail, d_c, harmed classes, ρ and the chosen baseline are worked by hand.

import Foundation
import KDJSON
import KDReport
import TestSupport
import XCTest

final class ReportFairnessTests: XCTestCase {
    static let names: JSONValue = ["a", "b", "c", "d", "e"]
    static let teacher = [0.99, 0.90, 0.95, 0.60, 0.80]

    /// A `fairness` object of 1,000 test images a class.
    static func fairness(_ acc: [Double]) -> JSONValue {
        ["class_names": names, "support": .array(acc.map { _ in 1000 }), "per_class_accuracy": .array(acc.map(JSONValue.number))]
    }

    /// Writes one run: `model` trained with `method` ("labels": train-teacher, no teacher) on the same data.
    static func run(
        _ root: String, _ name: String, model: String, method: String, seed: Int, acc: [Double], fairness: Bool = true
    ) throws {
        let dir = root + "/" + name
        var config = ReportFixtures.config(method: method, seed: seed, dir: dir).objectValue ?? [:]
        config["data"] = [
            "dataset": "fashion-mnist", "dir": .string(root + "/data\(seed)"), "imbalance": ["ratio": 8, "seed": .int(seed)],
        ]
        if method == "labels" {
            config["method"] = nil
            config["student"] = nil
            config["model"] = ["name": .string(model)]
        }
        var s = ReportFixtures.summary(last: acc.reduce(0, +) / 5, best: acc.reduce(0, +) / 5).objectValue ?? [:]
        s["model"] = .string(model)
        s["method"] = .string(method)
        s["train_class_counts"] = [400, 300, 200, 100, 50]
        if fairness { s["fairness"] = Self.fairness(acc) }
        if method != "labels" {
            s["teachers"] = ["/ckpt/teacher.safetensors"]
            s["teacher_fairness"] = Self.fairness(teacher)
        }
        try ReportFixtures.writeRun(dir, config: .object(config), metrics: [], summary: .object(s))
    }

    static func writeRuns(_ root: String) throws {
        try run(root, "teacher", model: "resnet20", method: "labels", seed: 0, acc: teacher)
        try run(root, "ce-0", model: "lenet5", method: "labels", seed: 0, acc: [0.90, 0.80, 0.70, 0.60, 0.50])
        try run(root, "ce-1", model: "lenet5", method: "labels", seed: 1, acc: [0.92, 0.82, 0.70, 0.62, 0.50])
        try run(root, "kd-0", model: "lenet5", method: "kd", seed: 0, acc: [0.95, 0.85, 0.72, 0.50, 0.52])
        try run(root, "kd-1", model: "lenet5", method: "kd", seed: 1, acc: [0.97, 0.85, 0.74, 0.52, 0.50])
        try run(root, "old", model: "lenet5", method: "at", seed: 0, acc: [0.9, 0.9, 0.9, 0.9, 0.9], fairness: false)
    }

    let (ce, kd) = ("model=lenet5, method=labels", "model=lenet5, method=kd")

    func testSeedAveragesEffectAndBaselineMatchHandValues() throws {
        let root = ReportFixtures.directory("report-fairness")
        try Self.writeRuns(root + "/runs")
        let grouped = RunGrouping.group(RunReader.read([root + "/runs"]).records, by: ["model", "method"])
        let a = try FairnessAnalysis.make(grouped)
        // Directories are read in name order: ce-0, ce-1, kd-0, kd-1, old, teacher.
        XCTAssertEqual(a.groups.map(\.label), [ce, kd, "model=resnet20, method=labels"])
        XCTAssertEqual(a.withoutFigures, ["model=lenet5, method=at"])
        let g = a.groups[1]
        XCTAssertEqual(g.baseline, ce, "the lenet5 labels runs, not the resnet20 teacher's")
        for (x, want) in zip(g.student.accuracy, [0.96, 0.85, 0.73, 0.51, 0.51]) { XCTAssertEqual(x!, want, accuracy: 1e-12) }
        XCTAssertEqual(g.studentStd[0]!, 0.02.squareRoot() * 0.1, accuracy: 1e-12)  // values 0.95, 0.97: std 0.01·√2
        XCTAssertEqual(g.trainCounts, [400, 300, 200, 100, 50])
        let hmt = try XCTUnwrap(g.headMediumTail(g.student))
        XCTAssertEqual(hmt.head!, 0.905, accuracy: 1e-12)  // classes a, b (most training images)
        XCTAssertEqual(hmt.medium!, 0.73, accuracy: 1e-12)
        XCTAssertEqual(hmt.tail!, 0.51, accuracy: 1e-12)
        let e = try XCTUnwrap(g.amplification)
        // S_ce mean 0.91 0.81 0.70 0.61 0.50; d = 0.05 0.04 0.03 −0.10 0.01.
        for (d, want) in zip(e.effect.perClass, [0.05, 0.04, 0.03, -0.10, 0.01]) { XCTAssertEqual(d!, want, accuracy: 1e-12) }
        XCTAssertEqual(e.effect.mean!, 0.006, accuracy: 1e-12)
        // SE(d_d) = sqrt((0.51·0.49 + 0.61·0.39)/1000) = 0.022086; −0.10 < −0.044: harmed. Others are gains.
        XCTAssertEqual(e.harmed, [3])
        // Teacher ranks 5 3 4 1 2, d ranks 5 4 3 1 2: Σd² = 2, ρ = 1 − 6·2/(5·24) = 0.9.
        XCTAssertEqual(e.rho!, 0.9, accuracy: 1e-12)
        XCTAssertEqual(e.worstDistilled!, 0.51, accuracy: 1e-12)
        XCTAssertEqual(e.worstBaseline!, 0.50, accuracy: 1e-12)
        XCTAssertEqual(a.notes, ["\(kd): S_ce is \(ce) (labels only, lenet5, same data)"])

        let effects = FairnessTables.effects(a)
        XCTAssertEqual(effects.rows, [[kd, ce, "0.60", "-10.00 (d)", "d", "0.90", "51.00", "50.00", "60.00"]])
        let perClass = FairnessTables.perClass(a)
        XCTAssertEqual(
            perClass.header,
            [
                "group", "seeds", "a", "b", "c", "d", "e", "mean per-class", "worst class", "worst-2 mean", "head", "medium",
                "tail",
            ])
        XCTAssertEqual(
            perClass.rows[1],
            [kd, "2", "96.00", "85.00", "73.00", "51.00", "51.00", "71.20", "51.00 (d)", "51.00", "90.50", "73.00", "51.00"])
        XCTAssertEqual(perClass.rows.last?.first, "teacher /ckpt/teacher.safetensors")
        let comparison = FairnessTables.comparison(g, baseline: a.groups[0])
        XCTAssertEqual(comparison.rows[3], ["d", "100", "1000", "60.00", "61.00", "51.00 ± 1.41", "-10.00", "2.21", "yes"])
    }

    func testReportWritesFairnessFilesAndPageSection() throws {
        let root = ReportFixtures.directory("report-fairness-files")
        try Self.writeRuns(root + "/runs")
        let out = root + "/out"
        let result = try Report.run(paths: [root + "/runs"], outDirectory: out, by: ["model", "method"], fairness: true)
        let names = result.files.map { ($0 as NSString).lastPathComponent }
        XCTAssertEqual(
            Array(names.suffix(5)),
            ["fairness.md", "fairness.csv", "fairness-classes.csv", "fairness-classes.svg", "fairness-counts.svg"])
        let md = try String(contentsOfFile: out + "/fairness.md", encoding: .utf8)
        XCTAssertTrue(md.contains("### \(kd) against \(ce)"), md)
        XCTAssertTrue(md.contains("at positions 0–1, 2 and 3–4 when ordered by training images"), md)
        let csv = try String(contentsOfFile: out + "/fairness-classes.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 1 + 3 * 5)
        XCTAssertTrue(csv.contains("\"\(kd)\",3,d,100,1000,0.51,0.014142,0.6,\"\(ce)\",0.61,-0.1,0.022086,1"), "\(csv)")
        let groups = try String(contentsOfFile: out + "/fairness.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(groups[0].hasPrefix("group,seeds,mean_per_class_acc,worst_class_acc,worst_class,worst_1_mean,worst_2_mean"))
        let page = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/index.html", encoding: .utf8))
        let h2 = page.all("h2").map(\.allText)
        XCTAssertTrue(h2.contains("Distillation effect against the one-hot student"), "\(h2)")
        XCTAssertEqual(page.all("svg").count, 3 + 2)
        let bars = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/fairness-classes.svg", encoding: .utf8))
            .all("rect").filter { $0.attributes["class"] == "bar" }
        XCTAssertEqual(bars.count, 3 * 5, "teacher, one-hot and distilled bars for five classes")
        let kdBar = try XCTUnwrap(bars.first { $0.attributes["data-series"] == kd && $0.attributes["data-category"] == "a" })
        XCTAssertEqual(kdBar.attributes["data-value"], "96")
        let points = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/fairness-counts.svg", encoding: .utf8))
            .all("circle")
        XCTAssertEqual(points.count, 4 * 5, "resnet20, S_ce, S_kd and the distilled group's teacher")
        XCTAssertTrue(points.contains { $0.attributes["data-x"] == "2.60206" && $0.attributes["data-y"] == "96" })
    }

    func testBaselineOptionAndErrors() throws {
        let root = ReportFixtures.directory("report-fairness-options")
        try Self.writeRuns(root + "/runs")
        let grouped = RunGrouping.group(RunReader.read([root + "/runs"]).records, by: ["model", "method"])
        let chosen = try FairnessAnalysis.make(grouped, baseline: "model=resnet20, method=labels")
        XCTAssertEqual(chosen.groups[1].baseline, "model=resnet20, method=labels")
        XCTAssertThrowsError(try FairnessAnalysis.make(grouped, baseline: "nope")) { error in
            XCTAssertTrue("\(error)".hasPrefix("--fairness-baseline: expected the label of a group"), "\(error)")
        }
        // Without the one-hot runs there is no baseline, and the note says so.
        try FileManager.default.removeItem(atPath: root + "/runs/ce-0")
        try FileManager.default.removeItem(atPath: root + "/runs/ce-1")
        let alone = try FairnessAnalysis.make(
            RunGrouping.group(RunReader.read([root + "/runs"]).records, by: ["model", "method"]))
        XCTAssertEqual(alone.groups.map(\.label), [kd, "model=resnet20, method=labels"])
        XCTAssertNil(alone.groups[0].amplification)
        XCTAssertTrue(alone.notes.first?.contains("no one-hot student") ?? false, "\(alone.notes)")
        // Runs without any per-class figures: an input error, not an empty report.
        let old = ReportFixtures.directory("report-fairness-old")
        try ReportFixtures.writeSweep(old)
        XCTAssertThrowsError(try Report.run(paths: [old], outDirectory: old + "/out", fairness: true)) { error in
            XCTAssertTrue("\(error)".contains("found none"), "\(error)")
        }
    }
}

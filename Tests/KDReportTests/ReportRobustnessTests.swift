// ReportRobustnessTests: `report --robustness` on hand-written runs: a one-hot lenet5 (attacks at ε 0.1 only,
// no corruptions, no teacher), a distilled lenet5 (FGSM and PGD-20 at ε 0.05 and 0.1, two corruptions, its
// teacher's figures), two seeds each, and a run without figures. Cells, CSV, drawing and page by hand.

import Foundation
import KDJSON
import KDReport
import TestSupport
import XCTest

final class ReportRobustnessTests: XCTestCase {
    /// An `attacks` entry as RobustnessEvaluation writes it.
    static func attack(_ kind: String, _ eps: Double, _ acc: Double, teacher: Double? = nil) -> JSONValue {
        var o: JSONObject = ["attack": .string(kind), "name": .string(kind == "pgd" ? "pgd20" : kind), "eps": .number(eps)]
        if kind == "pgd" {
            o["steps"] = 20
            o["step_size"] = .number(eps / 8)
            o["restarts"] = 1
            o["random_start"] = true
        }
        o["accuracy"] = .number(acc)
        if let teacher {
            o["teacher_accuracy"] = .number(teacher)
            o["gap"] = .number(teacher - acc)
        }
        return .object(o)
    }

    /// A corruption block with two corruptions (A_c = `means`), mCA and rCA.
    static func corruptions(_ means: [Double], mca: Double, rca: Double) -> JSONValue {
        func entry(_ m: Double) -> JSONValue {
            ["severities": ["1": .number(m + 0.05), "3": .number(m - 0.05)], "mean": .number(m)]
        }
        return [
            "table": "mnist-c", "seed": 0, "images": 1000, "clean": 0.9,
            "corruptions": ["gaussian_noise": entry(means[0]), "contrast": entry(means[1])], "mca": .number(mca),
            "rca": .number(rca),
        ]
    }

    /// Writes one lenet5 run of `method` with `robustness` (nil: none) and, when given, `teachers`.
    static func run(_ root: String, _ name: String, method: String, seed: Int, robustness: JSONValue?, teachers: [String] = [])
        throws
    {
        let dir = root + "/" + name
        var s = ReportFixtures.summary(last: 0.9, best: 0.9).objectValue ?? [:]
        s["model"] = "lenet5"
        s["method"] = .string(method)
        if !teachers.isEmpty { s["teachers"] = .array(teachers.map(JSONValue.string)) }
        s["robustness"] = robustness
        try ReportFixtures.writeRun(
            dir, config: ReportFixtures.config(method: method, seed: seed, dir: dir), metrics: [], summary: .object(s))
    }

    /// The one-hot block: clean 0.88, FGSM and PGD-20 at ε 0.1 only.
    static func oneHot(_ k: Double) -> JSONValue {
        [
            "seed": 0, "threat_model": "linf", "clean": 0.88,
            "attacks": [attack("pgd", 0.1, 0.10 + k), attack("fgsm", 0.1, 0.30 + k)],
        ]
    }

    /// The distilled block of seed k (0, 1): attacks written out of order; the teacher's figures beside.
    static func distilled(_ k: Double) -> JSONValue {
        [
            "seed": 0, "threat_model": "linf", "clean": .number(0.90 + 0.02 * k), "teacher_clean": 0.95,
            "attacks": [
                attack("pgd", 0.1, 0.20 + 0.04 * k, teacher: 0.50), attack("fgsm", 0.1, 0.40 + 0.04 * k, teacher: 0.60),
                attack("pgd", 0.05, 0.50 + 0.02 * k, teacher: 0.70 + 0.02 * k),
                attack("fgsm", 0.05, 0.60 + 0.02 * k, teacher: 0.80),
            ],
            "corruptions": corruptions([0.80 + 0.02 * k, 0.70 + 0.04 * k], mca: 0.75 + 0.03 * k, rca: 0.83 + 0.02 * k),
            "teacher_corruptions": corruptions([0.90, 0.80], mca: 0.85, rca: 0.89),
        ]
    }

    static func writeRuns(_ root: String) throws {
        for k in 0..<2 {
            try run(root, "ce-\(k)", method: "labels", seed: k, robustness: oneHot(0.02 * Double(k)))
            try run(
                root, "kd-\(k)", method: "kd", seed: k, robustness: distilled(Double(k)), teachers: ["/ckpt/teacher.safetensors"])
        }
        try run(root, "old", method: "at", seed: 0, robustness: nil)
    }

    let (ce, kd, teacher) = ("model=lenet5, method=labels", "model=lenet5, method=kd", "teacher /ckpt/teacher.safetensors")

    func testTablesAverageSeedsAndShowTheTeacherOnce() throws {
        let root = ReportFixtures.directory("report-robustness")
        try Self.writeRuns(root + "/runs")
        let a = try RobustnessAnalysis.make(RunGrouping.group(RunReader.read([root + "/runs"]).records, by: ["model", "method"]))
        XCTAssertEqual(a.rows.map(\.label), [ce, kd, teacher])
        XCTAssertEqual(a.withoutFigures, ["model=lenet5, method=at"])
        let table = RobustnessTables.summary(a)
        XCTAssertEqual(
            table.header,
            [
                "group", "seeds", "clean (%)", "FGSM ε=0.05 (%)", "FGSM ε=0.1 (%)", "PGD-20 ε=0.05 (%)", "PGD-20 ε=0.1 (%)",
                "mCA (%)", "rCA",
            ])
        // kd: clean 0.90/0.92, FGSM 0.60/0.62 and 0.40/0.44, PGD 0.50/0.52 and 0.20/0.24, mCA 0.75/0.78, rCA 0.83/0.85.
        XCTAssertEqual(
            table.rows,
            [
                [ce, "2", "88.00 ± 0.00", "—", "31.00 ± 1.41", "—", "11.00 ± 1.41", "—", "—"],
                [
                    kd, "2", "91.00 ± 1.41", "61.00 ± 1.41", "42.00 ± 2.83", "51.00 ± 1.41", "22.00 ± 2.83", "76.50 ± 2.12",
                    "0.840 ± 0.014",
                ],
                [
                    teacher, "—", "95.00 ± 0.00", "80.00 ± 0.00", "60.00 ± 0.00", "71.00 ± 1.41", "50.00 ± 0.00", "85.00 ± 0.00",
                    "0.890 ± 0.000",
                ],
            ])
        let perCorruption = try XCTUnwrap(RobustnessTables.corruptions(a))
        XCTAssertEqual(perCorruption.header, ["group", "gaussian_noise", "contrast", "mCA"])
        XCTAssertEqual(
            perCorruption.rows,
            [[kd, "81.00 ± 1.41", "72.00 ± 2.83", "76.50 ± 2.12"], [teacher, "90.00 ± 0.00", "80.00 ± 0.00", "85.00 ± 0.00"]])
        let md = RobustnessTables.markdown(a)
        XCTAssertTrue(md.contains("- model=lenet5, method=at: no robustness figures in summary.json (not shown)"), md)
    }

    func testReportWritesCSVDrawingAndPageSection() throws {
        let root = ReportFixtures.directory("report-robustness-files")
        try Self.writeRuns(root + "/runs")
        let out = root + "/out"
        let result = try Report.run(paths: [root + "/runs"], outDirectory: out, by: ["model", "method"], robustness: true)
        XCTAssertEqual(result.files.suffix(3).map { ($0 as NSString).lastPathComponent }, RobustnessOutput.fileNames)
        XCTAssertEqual(RobustnessOutput.fileNames, ["robustness.md", "robustness.csv", "robustness.svg"])
        let csv = try String(contentsOfFile: out + "/robustness.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv.count, 4)
        XCTAssertTrue(
            csv[0].hasPrefix(
                "group,kind,runs,clean_mean,clean_std,fgsm_eps0.05_mean,fgsm_eps0.05_std,fgsm_eps0.1_mean,fgsm_eps0.1_std,"
                    + "pgd20_eps0.05_mean,pgd20_eps0.05_std,pgd20_eps0.1_mean,pgd20_eps0.1_std,mca_mean,mca_std,rca_mean,rca_std,"
                    + "mce_mean,mce_std,relative_mce_mean,relative_mce_std,corruption_gaussian_noise_mean"), csv[0])
        XCTAssertTrue(csv[1].hasPrefix("\"\(ce)\",group,2,0.88,0,,,0.31,0.014142,,,0.11,0.014142,,,,,,,,,,,,"), csv[1])
        XCTAssertTrue(csv[3].hasPrefix("\(teacher),teacher,2,0.95,0,0.8,0,0.6,0,0.71,0.014142,"), csv[3])

        let svg = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/robustness.svg", encoding: .utf8))
        let charts = svg.all("g", cls: "chart")
        XCTAssertEqual(charts.count, 2, "PGD-20 and FGSM panels")
        XCTAssertTrue(charts[0].all("text").first?.allText.hasPrefix("PGD-20: robust accuracy against ε") ?? false)
        let series = charts[0].all("g", cls: "series")
        XCTAssertEqual(series.map { $0.attributes["data-label"] ?? "" }, [ce, kd, teacher])
        let kdPoints = series[1].all("circle").map { [$0.number("data-x") ?? -1, $0.number("data-y") ?? -1] }
        XCTAssertEqual(kdPoints, [[0, 91], [0.05, 51], [0.1, 22]], "clean at ε = 0, then PGD-20 means")
        XCTAssertEqual(series[0].all("circle").count, 2, "the one-hot runs: clean and ε 0.1")
        XCTAssertNotNil(series[2].all("polyline").first?.attributes["stroke-dasharray"], "teacher dashed")
        XCTAssertNil(series[1].all("polyline").first?.attributes["stroke-dasharray"])

        let page = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/index.html", encoding: .utf8))
        let h2 = page.all("h2").map(\.allText)
        XCTAssertTrue(h2.contains("Robustness: clean, adversarial and corrupted test accuracy"), "\(h2)")
        XCTAssertTrue(h2.contains("Robust accuracy against ε"), "\(h2)")
        XCTAssertEqual(page.all("svg").count, 3 + 1)
        XCTAssertTrue(page.all("td").map(\.allText).contains("0.840 ± 0.014"))
        XCTAssertTrue(page.all("li").map(\.allText).contains { $0.hasPrefix("model=lenet5, method=at: no robustness figures") })
    }

    func testTeacherWithoutCheckpointCIFARBudgetAndErrors() throws {
        let root = ReportFixtures.directory("report-robustness-plain")
        // One distilled run whose summary names no teacher checkpoint, attacked at 8/255, without corruptions.
        let block: JSONValue = [
            "seed": 0, "clean": 0.8, "teacher_clean": 0.9, "attacks": [Self.attack("pgd", 0.03137255, 0.3, teacher: 0.4)],
        ]
        try Self.run(root + "/runs", "kd", method: "kd", seed: 0, robustness: block)
        let a = try RobustnessAnalysis.make(RunGrouping.group(RunReader.read([root + "/runs"]).records))
        let table = RobustnessTables.summary(a)
        XCTAssertEqual(table.header, ["group", "seeds", "clean (%)", "PGD-20 ε=8/255 (%)"])
        XCTAssertEqual(
            table.rows, [["sweep", "1", "80.00 ± —", "30.00 ± —"], ["teacher (of sweep)", "—", "90.00 ± —", "40.00 ± —"]])
        XCTAssertNil(RobustnessTables.corruptions(a))
        XCTAssertEqual(RobustnessTables.csv(a).split(separator: "\n")[0].split(separator: ",")[5], "pgd20_eps0.031373_mean")
        // Runs without any robustness block: one input error, not an empty report.
        let old = ReportFixtures.directory("report-robustness-old")
        try ReportFixtures.writeSweep(old)
        XCTAssertThrowsError(try Report.run(paths: [old], outDirectory: old + "/out", robustness: true)) { error in
            XCTAssertEqual(
                "\(error)",
                "--robustness: expected runs whose summary.json has a `robustness` block (a config `evaluation` section), found none"
            )
            XCTAssertEqual((error as? ReportError)?.kind, .input)
        }
    }
}

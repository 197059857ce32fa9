// ProgressTests: the plain (non-terminal) progress output is sparse, one line per 10%, and the
// live bar redraws in place with a carriage return.

import KDData
import XCTest

final class ProgressTests: XCTestCase {
    func testPlainLinesEveryTenPercent() {
        var lines: [String] = []
        var now = 0.0
        let bar = ProgressBar(live: false, clock: { now }, write: { lines.append($0) })
        bar.begin("f.gz", total: 1_000_000, already: 250_000)
        for b in stride(from: 250_000, through: 1_000_000, by: 10_000) { now += 0.01; bar.advance(to: Int64(b)) }
        bar.end()
        XCTAssertEqual(lines.first, "f.gz: downloading 1.0 MB, resuming at 250.0 kB\n")
        XCTAssertEqual(
            lines.dropFirst().dropLast().map { String($0.prefix(8)) },
            ["f.gz: 30", "f.gz: 40", "f.gz: 50", "f.gz: 60", "f.gz: 70", "f.gz: 80", "f.gz: 90"])
        XCTAssertEqual(lines.last, "f.gz: done, 1.0 MB\n")
        XCTAssertTrue(lines.allSatisfy { !$0.contains("\r") })
    }

    func testLiveBarRedrawsInPlaceAtMostTenTimesASecond() {
        var out: [String] = []
        var now = 0.0
        let bar = ProgressBar(live: true, clock: { now }, write: { out.append($0) })
        bar.begin("x", total: 100, already: 0)
        for b in 1...100 { now += 0.01; bar.advance(to: Int64(b)) }
        bar.end()
        XCTAssertTrue(out.dropLast().allSatisfy { $0.hasPrefix("\rx [") })
        XCTAssertTrue(out.count <= 14, "\(out.count) redraws")
        XCTAssertTrue(out[out.count - 2].contains("[##############################] 100%"), out[out.count - 2])
        XCTAssertEqual(out.last, "\n")
    }
}

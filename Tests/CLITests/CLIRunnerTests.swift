// CLIRunnerTests: the test helper itself, on /bin/sh: output capture, exit status, working directory
// and environment, signals after a delay or a stderr line, the timeout, and the missing-binary message.

import Foundation
import TestSupport
import XCTest

final class CLIRunnerTests: CLITestCase {
    let sh = CLIRunner(binary: "/bin/sh")

    func testCapturesOutputStatusDirectoryAndEnvironment() throws {
        let r = try sh.run(
            ["-c", "echo out; echo err >&2; pwd; echo \"$X\"; echo \"${KDISTILL_MIRROR:-unset}\"; exit 3"],
            directory: dir, environment: ["X": "value"])
        XCTAssertTrue(r.exited(with: 3), "\(r)")
        XCTAssertEqual(r.stdoutLines.first, "out")
        XCTAssertEqual(r.stderrLines, ["err"])
        XCTAssertTrue(r.stdoutLines[1].hasSuffix(URL(fileURLWithPath: dir).lastPathComponent), "\(r)")
        XCTAssertEqual(Array(r.stdoutLines.suffix(2)), ["value", "unset"])
    }

    func testLargeOutputDoesNotBlock() throws {
        let r = try sh.run(
            ["-c", "i=0; while [ $i -lt 20000 ]; do echo line $i; echo err $i >&2; i=$((i+1)); done"], timeout: 60)
        XCTAssertTrue(r.exited(with: 0), "\(r)")
        XCTAssertEqual(r.stdoutLines.count, 20_000)
        XCTAssertEqual(r.stderrLines.count, 20_000)
    }

    func testSignalsAfterAStderrLineOrADelay() throws {
        let onLine = try sh.run(
            ["-c", "echo working >&2; echo ready >&2; exec sleep 10"], timeout: 30, signal: SIGTERM,
            when: .stderrLine(containing: "ready"))
        XCTAssertTrue(onLine.signalSent)
        XCTAssertTrue(onLine.signaled && onLine.status == SIGTERM, "\(onLine)")
        XCTAssertLessThan(onLine.seconds, 5)
        let delayed = try sh.run(["-c", "exec sleep 10"], timeout: 30, signal: SIGINT, when: .after(seconds: 0.3))
        XCTAssertTrue(delayed.signaled && delayed.status == SIGINT, "\(delayed)")
        let never = try sh.run(["-c", "echo done >&2"], signal: SIGINT, when: .stderrLine(containing: "absent"))
        XCTAssertFalse(never.signalSent)
        XCTAssertTrue(never.exited(with: 0))
    }

    func testTimeoutKillsTheProcess() throws {
        let r = try sh.run(["-c", "exec sleep 10"], timeout: 0.3)
        XCTAssertTrue(r.timedOut, "\(r)")
        XCTAssertFalse(r.exited(with: 0))
        XCTAssertLessThan(r.seconds, 5)
    }

    func testMissingBinaryIsAClearError() throws {
        XCTAssertThrowsError(try CLIRunner.locate(name: "no-such-kdistill")) { error in
            XCTAssertTrue("\(error)".contains("swift build"), "\(error)")
        }
        XCTAssertNoThrow(try Self.runner(), "kdistill must be built before the CLI tests")
    }
}

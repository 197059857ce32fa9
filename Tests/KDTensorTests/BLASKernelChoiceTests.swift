// BLASKernelChoiceTests: which OpenBLAS kernel set kdistill asks for when OpenBLAS's own detection
// falls back to Prescott, and when it leaves OpenBLAS's choice alone.

import KDTensor
import XCTest

final class BLASKernelChoiceTests: XCTestCase {
    let avx512: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    func testPrescottOnANewerCPUIsUpgraded() {
        XCTAssertEqual(BLASKernelChoice.upgrade(from: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASKernelChoice.upgrade(from: "prescott", cpuFlags: ["avx", "avx2", "fma"]), "Haswell")
        // AVX-512 without VL is not enough for the SkylakeX kernels.
        XCTAssertEqual(BLASKernelChoice.upgrade(from: "Prescott", cpuFlags: avx512.subtracting(["avx512vl"])), "Haswell")
    }

    func testARecognisedCPUOrAnOldOneKeepsOpenBLASsChoice() {
        XCTAssertNil(BLASKernelChoice.upgrade(from: "Haswell", cpuFlags: avx512))
        XCTAssertNil(BLASKernelChoice.upgrade(from: "Zen", cpuFlags: ["avx2", "fma"]))
        XCTAssertNil(BLASKernelChoice.upgrade(from: "Prescott", cpuFlags: ["sse3", "avx"]))
    }

    func testFlagsAreReadFromTheFirstProcessor() {
        let info = "processor\t: 0\nmodel name\t: X\nflags\t\t: fpu avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        XCTAssertEqual(BLASKernelChoice.cpuFlags(cpuinfo: info), ["fpu", "avx2", "fma"])
        XCTAssertEqual(BLASKernelChoice.cpuFlags(cpuinfo: ""), [])
    }

    func testTheLoadedKernelSetHasAName() {
        XCTAssertFalse(Gemm.kernelSet.isEmpty)
    }
}

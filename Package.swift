// swift-tools-version:5.10
// kdistill: knowledge distillation on the CPU, in Swift, on OpenBLAS.
import Foundation
import PackageDescription

/// AVX2 + FMA code generation when the building machine has them (read from /proc/cpuinfo, like
/// `-march=native`); set KDISTILL_PORTABLE=1 to build for baseline x86-64.
let vectorISA: [String] = {
    guard ProcessInfo.processInfo.environment["KDISTILL_PORTABLE"] == nil,
          let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
          flags.contains(" avx2"), flags.contains(" fma") else { return [] }
    return ["-target-cpu", "haswell"]
}()

/// KDTensor's hot kernels are compiled without bounds/overflow checks; everything else keeps Swift's checks.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"] + vectorISA, .when(configuration: .release)),
]

/// Plain `-O` with the vector ISA: Swift's bounds and overflow checks stay on (KDData parses untrusted
/// bytes); its hot loops use unsafe buffer pointers, whose subscripts are unchecked under `-O` anyway.
let checkedVector: [SwiftSetting] = [
    .unsafeFlags(["-wmo"] + vectorISA, .when(configuration: .release)),
]

let package = Package(
    name: "kdistill",
    products: [
        .executable(name: "kdistill", targets: ["kdistill"]),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // The VNNI int8 GEMM micro-kernel (intrinsics behind a run-time CPU check; Int8Gemm dispatches to it).
        .target(name: "CInt8", path: "Sources/CInt8",
                cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        .target(name: "KDSupport"),
        .target(name: "KDJSON"),
        .target(name: "KDTensor", dependencies: ["CBLAS", "CInt8"], swiftSettings: fastMath),
        .target(name: "KDNN", dependencies: ["KDTensor", "KDJSON", "KDSupport"]),
        .target(name: "KDData", dependencies: ["KDTensor", "KDSupport", "CZlib"], swiftSettings: checkedVector),
        .target(name: "KDAdversarial", dependencies: ["KDNN", "KDTensor"]),
        .target(name: "KDMethods", dependencies: ["KDAdversarial", "KDNN", "KDTensor"]),
        .target(name: "KDReport", dependencies: ["KDJSON", "KDSupport"]),
        .target(name: "KDExport", dependencies: ["KDNN", "KDTensor"]),
        .target(name: "KDQuant", dependencies: ["KDExport", "KDNN", "KDTensor", "KDJSON"]),
        .target(
            name: "KDTrain",
            dependencies: [
                "KDAdversarial", "KDMethods", "KDNN", "KDData", "KDExport", "KDQuant", "KDReport", "KDTensor", "KDJSON", "KDSupport", "CZlib"]),
        .executableTarget(name: "kdistill", dependencies: ["KDTrain", "KDReport"]),

        .target(name: "TestSupport", dependencies: ["KDTensor"], path: "Tests/TestSupport"),
        .testTarget(name: "KDTensorTests", dependencies: ["KDTensor", "TestSupport"]),
        .testTarget(name: "KDSupportTests", dependencies: ["KDSupport", "TestSupport"]),
        .testTarget(name: "KDNNTests", dependencies: ["KDNN", "TestSupport"]),
        .testTarget(name: "KDDataTests", dependencies: ["KDData", "TestSupport"]),
        .testTarget(name: "KDReportTests", dependencies: ["KDReport", "TestSupport"]),
        .testTarget(name: "KDAdversarialTests", dependencies: ["KDAdversarial", "TestSupport"]),
        .testTarget(name: "KDMethodsTests", dependencies: ["KDMethods", "TestSupport"]),
        .testTarget(name: "KDExportTests", dependencies: ["KDExport", "KDNN", "TestSupport"]),
        .testTarget(name: "KDQuantTests", dependencies: ["KDQuant", "KDExport", "KDNN", "TestSupport"]),
        .testTarget(name: "KDTrainTests", dependencies: ["KDTrain", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ]
)

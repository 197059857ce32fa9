// BLASKernelChoice: the OpenBLAS kernel set this CPU should run when OpenBLAS's own detection fails.
// OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels on x86 CPUs newer than its release.

import Foundation

/// Picks the OpenBLAS kernel set (the `OPENBLAS_CORETYPE` value) for a CPU OpenBLAS did not recognise.
public enum BLASKernelChoice {
    /// The kernel set to request, or nil when OpenBLAS's own choice stands: only when it fell back to
    /// `Prescott` on a CPU whose flags support a newer set (`SkylakeX` with AVX-512 F/CD/BW/DQ/VL,
    /// `Haswell` with AVX2 and FMA).
    public static func upgrade(from chosen: String, cpuFlags: Set<String>) -> String? {
        guard chosen.lowercased() == "prescott" else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The flags of the first processor in `cpuinfo` text (`/proc/cpuinfo`); empty when there is none.
    public static func cpuFlags(cpuinfo: String) -> Set<String> {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The kernel set to request on this machine, or nil (see `upgrade`).
    public static func upgradeForThisMachine() -> String? {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return upgrade(from: Gemm.kernelSet, cpuFlags: cpuFlags(cpuinfo: info))
    }
}
